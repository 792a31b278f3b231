#!/usr/bin/env bash
# Converts a report DOCX to PDF with LibreOffice and renders its pages to PNG,
# to look at the report as a person would.
#   scripts/render_report_pdf.sh REPORT.docx [OUT_DIR]
# Needs Debian's libreoffice-writer (or -nogui) and poppler-utils (pdftoppm).
set -euo pipefail
docx="$1"
out="${2:-$(dirname "$docx")}"
command -v soffice >/dev/null || { echo "soffice not found: apt-get install -y libreoffice-writer-nogui" >&2; exit 2; }
command -v pdftoppm >/dev/null || { echo "pdftoppm not found: apt-get install -y poppler-utils" >&2; exit 2; }
mkdir -p "$out"
# A private profile: no clash with another running LibreOffice, nothing left in $HOME.
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
soffice -env:UserInstallation="file://$profile" --headless --convert-to pdf --outdir "$out" "$docx" >/dev/null
pdf="$out/$(basename "${docx%.*}").pdf"
pdftoppm -png -r 70 "$pdf" "${pdf%.pdf}-page"
ls "$pdf" "${pdf%.pdf}"-page*.png
