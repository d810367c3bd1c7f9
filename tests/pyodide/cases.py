# Run inside Pyodide by harness.mjs: score every case of /job/cases.json with the installed
# xladdin wheel and hand back the snapshots as JSON (the value of the last expression).
import importlib
import json
import sys

import micropip
from snapshot import (
    CORE_MODULES,
    desktop_modules_loaded,
    function_results,
    lite_registration,
    snapshot,
)

for name in CORE_MODULES:
    importlib.import_module(name)
after_import = desktop_modules_loaded()

with open("/job/cases.json", encoding="utf-8") as handle:
    cases = json.load(handle)
snapshots = {case["id"]: snapshot(case["rubric"], case["evidence"]) for case in cases}
after_scoring = desktop_modules_loaded()
# the xlwings Lite entry point, with the xlwings that Lite provides
functions = function_results()
registration = lite_registration()

json.dumps(
    {
        "platform": sys.platform,
        "python": sys.version.split()[0],
        "installed": sorted(micropip.list()),
        "desktop_modules_after_import": after_import,
        "desktop_modules_after_scoring": after_scoring,
        "desktop_modules_after_lite": desktop_modules_loaded(),
        "functions": functions,
        "lite_registration": registration,
        "xladdin_file": importlib.import_module("xladdin").__file__,
        "snapshots": snapshots,
    },
    ensure_ascii=False,
)
