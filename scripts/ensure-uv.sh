#!/bin/sh
# Print the path of a working `uv`, installing it with pip first if there is none.
# Tries, in order: uv on PATH, ~/.local/bin/uv, `pip install --user uv` (with
# --break-system-packages where pip knows it, as Debian's pip requires), and finally a
# private venv under .tools/. Everything goes to stderr except the final path.
set -eu

found() { "$1" --version >/dev/null 2>&1 && { echo "$1"; exit 0; }; }

if command -v uv >/dev/null 2>&1; then found "$(command -v uv)"; fi
[ -x "$HOME/.local/bin/uv" ] && found "$HOME/.local/bin/uv"
[ -x ".tools/bin/uv" ] && found "$(pwd)/.tools/bin/uv"

PY="${PYTHON:-python3}"
echo "uv not found: installing it with pip" >&2
if "$PY" -m pip --version >/dev/null 2>&1; then
    "$PY" -m pip install --user --quiet --break-system-packages uv >&2 2>/dev/null \
        || "$PY" -m pip install --user --quiet uv >&2 || true
    USER_BIN="$("$PY" -c 'import site, os; print(os.path.join(site.USER_BASE, "bin"))')"
    [ -x "$USER_BIN/uv" ] && found "$USER_BIN/uv"
fi
if "$PY" -m venv .tools >&2 2>/dev/null || { rm -rf .tools; false; }; then
    .tools/bin/python -m pip install --quiet uv >&2 && found "$(pwd)/.tools/bin/uv"
fi
echo "could not install uv: install python3-pip (e.g. 'sudo apt-get install python3-pip')" >&2
exit 1
