#!/bin/sh
# Installs both agents from a build directory: binaries, systemd units,
# man pages and shell completions (`make install`, `make deb`).
#
# usage: scripts/install.sh BIN_DIR DESTDIR PREFIX [UNIT_DIR]
#
#   BIN_DIR      where `swift build` put edgeagent and homeagent
#   DESTDIR      staging root ("" for the live system)
#   PREFIX       /usr/local (make install) or /usr (the Debian package)
#   UNIT_DIR     systemd units; default PREFIX/lib/systemd/system
#
# The units' ExecStart= names PREFIX/bin. Man pages and completions are
# generated from the binaries themselves, so they always match their --help.
set -eu
bin=$1
destdir=$2
prefix=$3
unitdir=${4:-$prefix/lib/systemd/system}
root=$(cd "$(dirname "$0")/.." && pwd)

for agent in edgeagent homeagent; do
    [ -x "$bin/$agent" ] || { echo "install: no $bin/$agent (build first)" >&2; exit 1; }
done

target() { echo "$destdir$1"; }
install -d "$(target "$prefix/bin")" "$(target "$prefix/share/man/man1")" "$(target "$unitdir")" \
    "$(target "$prefix/share/bash-completion/completions")" \
    "$(target "$prefix/share/zsh/vendor-completions")" \
    "$(target "$prefix/share/fish/vendor_completions.d")" \
    "$(target "$prefix/share/doc/portico")"

pages=$(mktemp -d)
trap 'rm -rf "$pages"' EXIT
for agent in edgeagent homeagent; do
    install -m 0755 "$bin/$agent" "$(target "$prefix/bin/$agent")"
    # Debug information is most of a Swift binary; symbols stay for
    # backtraces unless PORTICO_STRIP says otherwise (the package strips all).
    strip ${PORTICO_STRIP:---strip-debug} "$(target "$prefix/bin/$agent")"
    sed -e "s|/usr/local/bin/|$prefix/bin/|g" -e "s|/usr/share/doc/portico/|$prefix/share/doc/portico/|g" "$root/dist/systemd/$agent.service" >"$pages/$agent.service"
    install -m 0644 "$pages/$agent.service" "$(target "$unitdir/$agent.service")"
    # bash-completion sources the file: no #! line.
    "$bin/$agent" --generate-completion-script bash | sed '1{/^#!/d}' >"$pages/$agent.bash"
    "$bin/$agent" --generate-completion-script zsh >"$pages/_$agent"
    "$bin/$agent" --generate-completion-script fish >"$pages/$agent.fish"
    install -m 0644 "$pages/$agent.bash" "$(target "$prefix/share/bash-completion/completions/$agent")"
    install -m 0644 "$pages/_$agent" "$(target "$prefix/share/zsh/vendor-completions/_$agent")"
    install -m 0644 "$pages/$agent.fish" "$(target "$prefix/share/fish/vendor_completions.d/$agent.fish")"
    # One page per command: edgeagent.1, edgeagent-serve.1, ... (scripts/
    # manpages.py, from the binary's own help) dated PORTICO_DATE (make
    # passes the last commit's date: the same source gives the same files).
    python3 "$root/scripts/manpages.py" "$bin/$agent" "$pages/man" \
        "${PORTICO_DATE:-$(date -u +%Y-%m-%d)}" "$("$bin/$agent" --version)"
done
for page in "$pages"/man/*.1; do
    gzip -9n <"$page" >"$(target "$prefix/share/man/man1/$(basename "$page").gz")"
    chmod 0644 "$(target "$prefix/share/man/man1/$(basename "$page").gz")"
done
install -m 0644 "$root/README.md" "$(target "$prefix/share/doc/portico/README.md")"
install -m 0644 "$root/dist/systemd/README.md" "$(target "$prefix/share/doc/portico/systemd.md")"
install -m 0644 "$root/CHANGELOG.md" "$(target "$prefix/share/doc/portico/CHANGELOG.md")"
echo "installed edgeagent and homeagent in $(target "$prefix/bin"), units in $(target "$unitdir")"
