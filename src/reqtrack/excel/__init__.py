"""The template's sheet in and out (docs/excel.md): xlsx (openpyxl, streaming both ways), CSV and
JSON, and the meeting workbook of `report --xlsx`.

- `safety`: cell text safety — the formula guard, Excel's `_xHHHH_` escape, the 32,767-character
  cell limit and its cut markers (the same rules both ways, so what was typed comes back).
- `columns`: the template's column map — keys, header labels, widths, header recognition.
- `rows`: a request as a row of the template's cells.
- `masking`: `--mask`'s copy of a request with personal names hidden.
- `xlsx`, `textfiles`, `export_info`: the streaming writers (xlsx rows straight into the sheet's
  XML, CSV, JSON) and the export's info sheet.
- `reader`, `validator`: reading a sheet (xlsx or CSV, within size bounds) and turning its cells
  into field values, the process log into entries.
- `workbook`: the meeting workbook.

Import what you need from its module (`from reqtrack.excel.reader import read_table`): the
package itself loads nothing, so a command pays only for the modules it uses, and openpyxl is
imported only inside the functions that need it.
"""
