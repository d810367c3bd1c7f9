// Run xladdin inside Pyodide under Node, offline, for tests/test_pyodide.py.
//
// Usage: node harness.mjs JOB.json
//
// JOB.json names the pyodide npm package folder, the folder of wheels for Pyodide's platform
// (pydantic, its dependencies, micropip), the xladdin wheel, the Python file to run and the
// files it reads and writes. Everything is loaded from local files: the npm package fetches
// its own packages from a CDN, which a test must not depend on, so micropip is loaded from its
// wheel and the rest is installed by micropip from Pyodide's in-memory file system.
//
// The install follows the documented recipe (docs/excel-lite-guide.md): pydantic with its
// dependencies, then the xladdin wheel with deps=False, so none of the desktop dependencies
// (PyYAML, lxml, pandas, openpyxl, XlsxWriter, click, python-docx, xlwings) are present.

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const started = Date.now();
const { loadPyodide } = await import(pathToFileURL(path.join(job.pyodide, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ packageCacheDir: job.cache, stdout: console.log, stderr: console.error });
const loaded = Date.now();

const wheels = fs.readdirSync(job.wheels).filter((name) => name.endsWith(".whl"));
const micropip = wheels.find((name) => name.startsWith("micropip-"));
if (!micropip) throw new Error(`no micropip wheel in ${job.wheels}`);
await pyodide.loadPackage(path.join(job.wheels, micropip));

pyodide.FS.mkdirTree("/wheels");
for (const name of [...wheels, path.basename(job.xladdin)]) {
  const source = name === path.basename(job.xladdin) ? job.xladdin : path.join(job.wheels, name);
  pyodide.FS.writeFile(`/wheels/${name}`, fs.readFileSync(source));
}
pyodide.FS.mkdirTree("/job");
for (const [name, source] of Object.entries(job.files)) {
  pyodide.FS.writeFile(`/job/${name}`, fs.readFileSync(source));
}
const inEmfs = (names) => pyodide.toPy(names.map((name) => `emfs:/wheels/${name}`));
// xlwings Lite brings xlwings itself; here it comes from its wheel for Pyodide's platform
const lite = wheels.filter((name) => name.startsWith("xlwings-"));
pyodide.globals.set("lite_wheels", inEmfs(lite));
pyodide.globals.set(
  "dependency_wheels",
  inEmfs(wheels.filter((name) => name !== micropip && !lite.includes(name))),
);
// the xladdin wheel from a web address (an intranet server) when given, else from the file
pyodide.globals.set("xladdin_wheel", job.xladdin_url ?? `emfs:/wheels/${path.basename(job.xladdin)}`);
await pyodide.runPythonAsync(`
import micropip
# What xlwings Lite provides before any requirement is installed.
await micropip.install(list(lite_wheels), deps=False)
# Recipe step 1: pydantic and what it needs (online: await micropip.install("pydantic")).
await micropip.install(list(dependency_wheels))
# Recipe step 2: xladdin without its desktop dependencies, from a file or a web address.
await micropip.install(xladdin_wheel, deps=False)
`);
const installed = Date.now();

pyodide.runPython(`import sys; sys.path.insert(0, "/job")`);
const output = await pyodide.runPythonAsync(fs.readFileSync(job.script, "utf8"));
fs.writeFileSync(job.output, output);
const finished = Date.now();
console.log(
  JSON.stringify({
    pyodide: pyodide.version,
    load_ms: loaded - started,
    install_ms: installed - loaded,
    run_ms: finished - installed,
  }),
);
