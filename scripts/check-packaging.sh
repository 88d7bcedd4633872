#!/bin/sh
# Checks what `make install` and `make deb` produced (`make test-packaging`,
# part of `make test`): the files are where users and systemd look, the
# installed binaries run and need no Swift toolchain, and the package is
# well formed (dpkg-deb, lintian when installed).
#
# usage: scripts/check-packaging.sh DESTDIR PREFIX DEB
set -eu
destdir=$1
prefix=$2
deb=$3
version=$(sed -n 's/.*softwareVersion = "\(.*\)".*/\1/p' "$(dirname "$0")/../Sources/Wire/WireVersion.swift")
failures=0
fail() { echo "packaging: $*" >&2; failures=$((failures + 1)); }

for path in bin/edgeagent bin/homeagent lib/systemd/system/edgeagent.service lib/systemd/system/homeagent.service \
    share/man/man1/edgeagent-serve.1.gz share/man/man1/homeagent-run.1.gz \
    share/bash-completion/completions/edgeagent share/zsh/vendor-completions/_homeagent \
    share/fish/vendor_completions.d/edgeagent.fish share/doc/portico/README.md; do
    [ -s "$destdir$prefix/$path" ] || fail "make install left no $prefix/$path"
done
for agent in edgeagent homeagent; do
    installed=$destdir$prefix/bin/$agent
    [ "$("$installed" --version)" = "$version" ] || fail "$installed --version is not $version"
    ldd "$installed" | grep -q swift && fail "$installed loads the Swift runtime from the toolchain: $(ldd "$installed" | grep swift)"
    grep -q "^ExecStart=$prefix/bin/$agent " "$destdir$prefix/lib/systemd/system/$agent.service" \
        || fail "$agent.service does not start $prefix/bin/$agent"
done
# (roff escapes the option's hyphens: \-\-drain\-timeout)
zcat "$destdir$prefix/share/man/man1/edgeagent-serve.1.gz" | grep -q 'drain\\-timeout' \
    || fail "the edgeagent serve man page does not describe --drain-timeout"
zcat "$destdir$prefix/share/man/man1/homeagent-run.1.gz" | grep -q 'values: trace' \
    || fail "the homeagent run man page does not list --log-level's values"
grep -q "^Documentation=.*$prefix/share/doc/portico/systemd.md" "$destdir$prefix/lib/systemd/system/edgeagent.service" \
    || fail "edgeagent.service does not point at $prefix/share/doc/portico/systemd.md"

contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/edgeagent ./usr/bin/homeagent ./lib/systemd/system/homeagent.service \
    ./usr/share/doc/portico/copyright ./usr/share/man/man1/homeagent.1.gz; do
    echo "$contents" | grep -q " $path\$" || fail "$deb has no $path"
done
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "$deb is not version $version"
depends=$(dpkg-deb -f "$deb" Depends)
for needed in libssl3 libsqlite3-0 liblz4-1 adduser publicsuffix; do
    echo "$depends" | grep -q "$needed" || fail "$deb does not depend on $needed ($depends)"
done
echo "$depends" | grep -qi swift && fail "$deb depends on Swift: $depends"
control=$(mktemp -d)
dpkg-deb -e "$deb" "$control"
for script in postinst prerm postrm; do
    [ -x "$control/$script" ] && sh -n "$control/$script" || fail "$deb has no working $script"
done
rm -rf "$control"
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$deb" "$unpacked"
for agent in edgeagent homeagent; do
    [ "$("$unpacked/usr/bin/$agent" --version)" = "$version" ] || fail "the packaged $agent does not run"
done
if command -v lintian >/dev/null; then
    lintian --fail-on error,warning "$deb" || fail "lintian found errors in $deb"
else
    echo "packaging: lintian not installed; skipped"
fi

[ "$failures" -eq 0 ] || { echo "packaging: $failures problems" >&2; exit 1; }
echo "packaging: make install and $deb check out"
