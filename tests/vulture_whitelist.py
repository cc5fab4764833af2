"""Names vulture cannot see used: attributes that openpyxl, plotly and pydantic read from the
objects we set them on. Regenerate with `vulture --make-whitelist` and review before adding."""

# ruff: noqa
_ = object()
_.CACHE_DIR  # estimator/simulate_kernel.py
_.category  # estimator/export/xlsx.py
_.compress_type  # estimator/export/_fastsheet.py
_.created  # estimator/export/xlsx.py
_.creator  # estimator/export/xlsx.py
_.data_type  # estimator/export/xlsx.py
_.delete  # estimator/export/xlsx.py
_.errorTitle  # estimator/export/xlsx.py
_.freeze_panes  # estimator/export/xlsx.py
_.gapWidth  # estimator/export/xlsx.py
_.grouping  # estimator/export/xlsx.py
_.keywords  # estimator/export/xlsx.py
_.lastModifiedBy  # estimator/export/xlsx.py
_.legend  # estimator/export/xlsx.py
_.modified  # estimator/export/xlsx.py
_.overlap  # estimator/export/xlsx.py
_.prompt  # estimator/export/xlsx.py
_.promptTitle  # estimator/export/xlsx.py
_.quotePrefix  # estimator/export/xlsx.py
_.showErrorMessage  # estimator/export/xlsx.py
_.showGridLines  # estimator/export/xlsx.py
_.showInputMessage  # estimator/export/xlsx.py
_.showlegend  # estimator/charts.py
_.subject  # estimator/export/xlsx.py
_.orientation  # estimator/export/xlsx_cells.py (print setup)
_.paperSize  # estimator/export/xlsx_cells.py (print setup)
_.fitToWidth  # estimator/export/xlsx_cells.py (print setup)
_.fitToHeight  # estimator/export/xlsx_cells.py (print setup)
_.fitToPage  # estimator/export/xlsx_cells.py (print setup)
_.print_title_rows  # estimator/export/xlsx_cells.py (print setup)
_.bottom  # estimator/export/xlsx_cells.py (print margins)
_.footer  # estimator/export/pdf.py (fpdf2 calls it on every page)
_.QUERY_HINTS  # estimator/sql/dialect.py (read by sqlglot's Generator)
_.TABLE_HINTS  # estimator/sql/dialect.py (read by sqlglot's Generator)
_.records_out  # estimator/actuals/grid.py (filled from the metrics; no figure reads it yet)
_.pieces_of  # estimator/simulate.py (public helper: a per-minute Timeline as one Piece)
_.horizon_found  # estimator/uncertainty.py (public: whether the horizon's low / high were read; tests hold the laziness with it)
