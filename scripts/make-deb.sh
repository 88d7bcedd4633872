#!/bin/sh
# Builds the Debian package with both agents (`make deb`):
# portico_VERSION_ARCH.deb in OUT_DIR, installable with
# `apt install ./portico_*.deb` on a machine without Swift.
#
# usage: scripts/make-deb.sh BIN_DIR OUT_DIR
#
# The binaries must carry the Swift runtime (`--static-swift-stdlib`): the
# package depends only on Debian's libraries, found from what the binaries
# load (ldd) and the packages that ship them (dpkg -S). Installing creates
# the system user `portico` that homeagent.service runs as; neither service
# is enabled (the edge needs its public name first: dist/systemd/README.md).
set -eu
bin=$1
out=$2
root=$(cd "$(dirname "$0")/.." && pwd)

version=$("$bin/edgeagent" --version)
arch=$(dpkg --print-architecture)
maintainer="Portico developers <portico@example.org>"
stage=$(mktemp -d)
chmod 0755 "$stage"
trap 'rm -rf "$stage"' EXIT

PORTICO_DATE=${PORTICO_DATE:-$(date -u +%Y-%m-%d)} PORTICO_STRIP=--strip-unneeded \
    "$root/scripts/install.sh" "$bin" "$stage" /usr /lib/systemd/system >/dev/null

# Depends: the Debian package of each shared library either binary loads.
# One the package database does not know (the toolchain's libswiftCore.so)
# means the binary cannot run without Swift: refuse.
packages=""
for agent in edgeagent homeagent; do
    for library in $(ldd "$bin/$agent" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
        real=$(readlink -f "$library")
        owner=""
        for candidate in "$library" "$real" "/usr$library" "/usr$real"; do
            owner=$(dpkg -S "$candidate" 2>/dev/null | head -n 1) && [ -n "$owner" ] && break
        done
        if [ -z "$owner" ]; then
            echo "make-deb: $agent loads $library, which no Debian package provides; build with --static-swift-stdlib (make deb does)" >&2
            exit 1
        fi
        packages="$packages ${owner%%:*}"
    done
done
# publicsuffix: the Public Suffix List, a data file the edge reads (ldd
# cannot see it); the edge refuses to start without it.
depends=$(printf '%s\n' adduser publicsuffix $packages | sort -u | paste -sd, - | sed 's/,/, /g')

doc=$stage/usr/share/doc/portico
cat >"$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: portico

Files: *
Copyright: 2026 Portico developers
License: Apache-2.0
 On Debian systems the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0.
EOF
# Debian wants a changelog of its own (a native package's: changelog.gz);
# CHANGELOG.md has the real one.
cat <<EOF | gzip -9n >"$doc/changelog.gz"
portico ($version) unstable; urgency=medium

  * Built from the Portico source tree; changes are in CHANGELOG.md.

 -- $maintainer  $(date -u -R)
EOF
gzip -9n "$doc/CHANGELOG.md"
chmod 0644 "$doc/copyright" "$doc/changelog.gz" "$doc/CHANGELOG.md.gz"
# Yams, the YAML parser both agents read their config files with, carries
# its own copy of libyaml; Debian's libyaml-0-2 cannot replace it.
overrides=$stage/usr/share/lintian/overrides
mkdir -p "$overrides"
printf 'portico: embedded-library libyaml [usr/bin/%s]\n' edgeagent homeagent >"$overrides/portico"
chmod 0644 "$overrides/portico"

mkdir -p "$stage/DEBIAN"
cat >"$stage/DEBIAN/control" <<EOF
Package: portico
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk "$stage/usr" "$stage/lib" | awk '{ sum += $1 } END { print sum }')
Depends: $depends
Section: net
Priority: optional
Description: put home servers on the internet through your own edge
 Portico carries public connections to servers at home over one outbound,
 mutually authenticated TLS connection per home, multiplexed with its own
 framed protocol.
 .
 edgeagent runs on a machine with a public address: it routes TLS by SNI
 (passed through, never decrypted), HTTP by Host and TCP by port to the home
 that owns each name, with per-home bandwidth limits, a registry in SQLite,
 a REST API and admin commands. homeagent runs at home and dials only the
 targets in its own config.
EOF
cat >"$stage/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
    # homeagent.service runs as this user, which owns /etc/portico.
    if ! getent passwd portico >/dev/null; then
        adduser --system --group --no-create-home --home /etc/portico --quiet portico
    fi
    # Where `sudo -u portico homeagent join` writes the config and key.
    if [ ! -d /etc/portico ]; then install -d -o portico -g portico -m 0700 /etc/portico; fi
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload >/dev/null || true
        # An upgrade: agents that run (or are enabled) restart on the new
        # binaries; deb-systemd-invoke leaves disabled, stopped ones alone.
        if [ -n "$2" ]; then deb-systemd-invoke restart edgeagent.service homeagent.service >/dev/null 2>&1 || true; fi
    fi
fi
exit 0
EOF
cat >"$stage/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
# On removal the agents stop; on upgrade they keep running until postinst
# restarts them on the new binaries.
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
    deb-systemd-invoke stop edgeagent.service homeagent.service >/dev/null 2>&1 || true
fi
exit 0
EOF
cat >"$stage/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null || true; fi
# Keys stay when the package is purged: the edge's CA under /var/lib is what
# every joined home trusts, a home's key in /etc/portico is its identity.
# Say where they are instead.
if [ "$1" = purge ]; then
    for dir in /etc/portico /var/lib/portico /var/lib/private/portico; do
        if [ -d "$dir" ]; then
            echo "portico: kept $dir (keys, configs, the edge's registry); remove it by hand when no longer needed"
        fi
    done
fi
exit 0
EOF
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm" "$stage/DEBIAN/postrm"

mkdir -p "$out"
package="$out/portico_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" --build "$stage" "$package" >/dev/null
echo "$package"
