"""Excel through xlwings: worksheet functions (``udfs``), macros (``macros``) and the live book
(``live``).

``xladdin.excel.udfs`` is the module the templates' ``xlwings.conf`` sheet names under
``UDF Modules``; it imports without Excel (on Linux and macOS the xlwings decorators are no-ops),
so it can be tested anywhere, and it imports whichever macro decorator the installed xlwings
offers (``script``, else ``sub``, else none), so one missing decorator never stops the
worksheet functions from loading. Nothing here imports pandas.
"""
