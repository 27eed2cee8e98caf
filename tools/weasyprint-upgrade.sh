#!/usr/bin/env bash
# Is the newest WeasyPrint safe for werkboek? Try it in a throw-away virtualenv.
#
# werkboek pins weasyprint and pydyf to the tested range (pyproject.toml) because it uses
# some of their internals (src/werkboek/pdf/internals.py). This script installs werkboek
# from this checkout with its pins, then the newest WeasyPrint and pydyf over them (or the
# versions given: WEASYPRINT="==71.0" PYDYF="==0.14.0"), and runs the equivalence tests:
# chapter layout = one layout byte for byte, rebuilt files byte-identical, the PDF/UA
# checks, and the PDF package's own (private names, grafts). Not part of the default test
# run; CI can run it on a schedule. Exit status 0 when all pass.
#
#   tools/weasyprint-upgrade.sh            # newest WeasyPrint
#   WEASYPRINT="==71.0" tools/weasyprint-upgrade.sh
#   KEEP=1 tools/weasyprint-upgrade.sh     # keep the virtualenv (its path is printed)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/werkboek-weasyprint.XXXXXX")"
if [[ -z "${KEEP:-}" ]]; then
    trap 'rm -rf "$work"' EXIT
fi
log="$work/pytest.log"

tests=(
    tests/test_chapters.py
    tests/test_accessibility.py
    tests/test_pdf.py
    tests/test_reading.py
    "tests/test_document.py::test_builds_are_byte_identical_across_processes"
    "tests/test_cards.py::test_rebuilt_cards_are_byte_identical"
    "tests/test_handouts.py::test_rebuilt_handouts_are_byte_identical"
    "tests/test_workbook.py::test_a_personal_copy_is_the_same_made_alone_or_with_the_list"
    "tests/test_workbook.py::test_personal_copies_have_their_name_and_distinct_files"
    "tests/test_training_day.py::test_a_grafted_certificate_is_the_certificate_laid_out_for_that_name"
)

echo "virtualenv: $work/venv"
"$python" -m venv "$work/venv"
pip=("$work/venv/bin/python" -m pip --disable-pip-version-check -q)
# werkboek as pinned (a copy of the checkout, so nothing is built inside it) ...
cp -r "$repo/src" "$repo/pyproject.toml" "$repo/README.md" "$work/"
quiet='dependency resolver|requires weasyprint|requires pydyf|^WARNING: Location .* is ignored'
"${pip[@]}" install "$work[test]" 2> >(grep -Ev "$quiet" >&2)
# ... then the newest WeasyPrint and pydyf over the pin (no constraints file may hold them
# back; pip says werkboek's requirement is broken: that is the point)
PIP_CONSTRAINT="" "${pip[@]}" install --upgrade "weasyprint${WEASYPRINT:-}" "pydyf${PYDYF:-}" \
    2> >(grep -Ev "$quiet" >&2)
versions="$("$work/venv/bin/python" - <<'EOF'
from importlib.metadata import version
print(", ".join(f"{name} {version(name)}" for name in ("weasyprint", "pydyf", "pikepdf")))
EOF
)"

set +e
check="$(cd "$repo" && "$work/venv/bin/python" -c \
    "from werkboek.pdf import internals; internals.check(); print('zoals verwacht')" 2>&1 | tail -1)"
(cd "$repo" && "$work/venv/bin/python" -m pytest -q -p no:cacheprovider "${tests[@]}") >"$log" 2>&1
status=$?
set -e

echo
echo "== werkboek met $versions"
echo "private namen: $check"
grep -E "^(FAILED|ERROR) " "$log" | head -20 || true
echo "tests: $(tail -1 "$log")"
if [[ $status -eq 0 ]]; then
    echo "uitkomst: geslaagd; de pin in pyproject.toml kan naar deze versie"
else
    echo "uitkomst: NIET geslaagd (status $status); het volledige verslag: $log"
    if [[ -z "${KEEP:-}" ]]; then
        cp "$log" "${TMPDIR:-/tmp}/werkboek-weasyprint-upgrade.log"
        echo "(bewaard als ${TMPDIR:-/tmp}/werkboek-weasyprint-upgrade.log)"
    fi
fi
exit $status
