# Sourced by the test scripts that need Python packages (scripts/*/test.sh).
# ensure_venv LABEL VENV REQUIREMENTS CHECK...: unless VENV exists and the command CHECK (run
# with the venv's bin/ first on PATH) succeeds, creates the virtualenv VENV and installs
# REQUIREMENTS into it.
ensure_venv() {
    local label="$1" venv="$2" requirements="$3"
    shift 3
    if [ ! -x "$venv/bin/python" ] || ! PATH="$venv/bin:$PATH" "$@" >/dev/null 2>&1; then
        echo "$label: installing $requirements into $venv" >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q -r "$requirements"
    fi
}
