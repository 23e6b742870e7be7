#!/usr/bin/python3
"""Checks kvmlint's CI formats with tools the C tests lack.

Run by ctest as `python3 tests/validate_formats.py` with KVMLINT_BINARY and
KVMLINT_SRCDIR set.  For each of several inputs (findings of many rules, a
clean domain, a malformed file, standard input, an unreadable path, an
absolute path) it runs `kvmlint check` once with every format written to its
own file (-f/-o pairing) and checks:

  sarif   valid against the OASIS SARIF 2.1.0 JSON schema (python3-jsonschema,
          ../shared/schemas/sarif-schema-2.1.0.json; this part is skipped,
          saying so, when either is missing), plus what GitHub code scanning
          needs: rules[] with help, ruleIndex pointing at ruleId, regions,
          relative URIs, unique partial fingerprints, fixes whose replacements
          keep the file well-formed;
  gitlab  Code Quality fields, severities, unique fingerprints;
  junit   the structure JUnit consumers require (testsuite name/tests/
          failures/errors, testcase name, failure/error/skipped children) and
          one test case per file and rule;
  checkstyle  the checkstyle report structure.

The reports must agree with the JSON report of the same run.
"""
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SRC = os.environ.get("KVMLINT_SRCDIR") or os.path.join(os.path.dirname(__file__), "..")
BIN = os.environ.get("KVMLINT_BINARY")
SCHEMA = os.path.join(SRC, "..", "shared", "schemas", "sarif-schema-2.1.0.json")

FAILURES = []


def fail(case, what):
    FAILURES.append(f"{case}: {what}")


def sarif_validator():
    """A jsonschema validator for SARIF, or None (and why)."""
    try:
        import jsonschema
    except ImportError:
        return None, "python3-jsonschema is not installed"
    if not os.path.exists(SCHEMA):
        return None, f"{SCHEMA} is absent"
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema), None


# (name, arguments after `check`, stdin file or None); paths relative to SRC
CASES = [
    ("example", ["--host", "examples/hosts/dl380p-g8.caps.xml", "examples/sql01.xml"], None),
    ("many-rules", ["--host", "testdata/hosts/two-node.caps.xml",
                    "testdata/rules/disk-bus-not-virtio/fire-emulated-buses",
                    "testdata/rules/net-model-not-virtio",
                    "testdata/rules/value-invalid"], None),
    ("malformed", ["testdata/rules/xml-malformed"], None),
    ("stdin", ["-"], "testdata/cli/json-output/vm.xml"),
    ("unreadable", ["testdata/no-such-file.xml", "testdata/cli/json-output/vm.xml"], None),
    ("absolute", [os.path.join(os.path.abspath(SRC), "testdata/cli/json-output/vm.xml")], None),
]

FORMATS = ["json", "sarif", "gitlab", "junit", "checkstyle"]


def run_case(name, args, stdin, tmp):
    outs = {fmt: os.path.join(tmp, f"{name}.{fmt}") for fmt in FORMATS}
    cmd = [BIN, "check"]
    for fmt in FORMATS:
        cmd += ["-f", fmt, "-o", outs[fmt]]
    cmd += args
    with open(os.path.join(SRC, stdin), "rb") if stdin else open(os.devnull, "rb") as inp:
        proc = subprocess.run(cmd, cwd=SRC, stdin=inp, capture_output=True)
    if proc.returncode not in (0, 1, 2) or proc.stdout:
        fail(name, f"exit {proc.returncode}, stdout {proc.stdout[:200]!r}, stderr {proc.stderr[:300]!r}")
    reports = {}
    for fmt, path in outs.items():
        if not os.path.exists(path):
            fail(name, f"no {fmt} report written")
            return None
        with open(path, encoding="utf-8") as f:
            reports[fmt] = f.read()
    return reports


def check_sarif(name, text, report, validator):
    try:
        doc = json.loads(text)
    except ValueError as e:
        fail(name, f"sarif: not JSON: {e}")
        return 0
    if validator:
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.path))[:5]:
            fail(name, f"sarif: schema: {'/'.join(map(str, err.path))}: {err.message}")
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    for key in ("name", "version", "informationUri", "rules"):
        if key not in driver:
            fail(name, f"sarif: tool.driver.{key} missing")
    rules = driver.get("rules", [])
    for r in rules:
        for key in ("id", "name", "shortDescription", "fullDescription", "help", "defaultConfiguration"):
            if key not in r:
                fail(name, f"sarif: rule {r.get('id')}: {key} missing")
        if "markdown" not in r.get("help", {}):
            fail(name, f"sarif: rule {r.get('id')}: help.markdown missing")
    results = run.get("results")
    if results is None:
        fail(name, "sarif: no results array")
        return 0
    findings = report["findings"]
    if len(results) != len(findings):
        fail(name, f"sarif: {len(results)} results for {len(findings)} findings")
    prints = set()
    fixes_seen = [0]
    for res, f in zip(results, findings):
        if rules[res["ruleIndex"]]["id"] != res["ruleId"] or res["ruleId"] != f["rule"]:
            fail(name, f"sarif: ruleIndex/ruleId mismatch for {res['ruleId']}")
        loc = res["locations"][0]["physicalLocation"]
        art = loc["artifactLocation"]
        if f["path"] == "<stdin>":
            if "uri" in art:
                fail(name, "sarif: standard input given a uri")
        elif art.get("uri", "").startswith("/") or art.get("uri", "").startswith("file:"):
            fail(name, f"sarif: uri {art.get('uri')} is not relative")
        region = loc.get("region")
        if f["line"]:
            if not region or region["startLine"] != f["line"] or region.get("startColumn") != f["column"]:
                fail(name, f"sarif: region {region} does not match {f['line']}:{f['column']}")
            elif "endLine" in region and (region["endLine"], region["endColumn"]) <= (f["line"], f["column"]):
                fail(name, f"sarif: region {region} ends before it starts")
        fp = res.get("partialFingerprints", {}).get("kvmlint/v1")
        if not fp or fp in prints:
            fail(name, f"sarif: fingerprint {fp!r} missing or repeated")
        prints.add(fp)
        if fp != f.get("fingerprint"):
            fail(name, "sarif: fingerprint differs from the JSON report's")
        if bool(res.get("fixes")) != bool(f.get("fixable")) and f["path"] != "<stdin>":
            fail(name, f"sarif: {res['ruleId']}: fixes {bool(res.get('fixes'))}, fixable {f.get('fixable')}")
        for fix in res.get("fixes", []):
            apply_fix(name, fix)
            fixes_seen[0] += 1
    return fixes_seen[0]


def apply_fix(name, fix):
    """Apply one SARIF fix to its file; the result must stay well-formed."""
    change = fix["artifactChanges"][0]
    uri = change["artifactLocation"]["uri"]
    with open(os.path.join(SRC, uri.replace("%20", " ")), encoding="utf-8") as f:
        lines = f.read().split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    text = "\n".join(lines)

    def offset(line, col):        # columns count code points (columnKind)
        return starts[line - 1] + col - 1

    spans = []
    for r in change["replacements"]:
        reg = r["deletedRegion"]
        spans.append((offset(reg["startLine"], reg["startColumn"]),
                      offset(reg["endLine"], reg["endColumn"]),
                      r.get("insertedContent", {}).get("text", "")))
    for a, b, new in sorted(spans, reverse=True):
        if a > b:
            fail(name, f"sarif: fix region ends before it starts: {spans}")
            return
        text = text[:a] + new + text[b:]
    try:
        ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as e:
        fail(name, f"sarif: applying fix '{fix['description']['text']}' breaks {uri}: {e}")


GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def check_gitlab(name, text, report):
    try:
        issues = json.loads(text)
    except ValueError as e:
        fail(name, f"gitlab: not JSON: {e}")
        return
    if not isinstance(issues, list) or len(issues) != len(report["findings"]):
        fail(name, "gitlab: not one issue per finding")
        return
    prints = [i.get("fingerprint") for i in issues]
    if len(set(prints)) != len(prints) or not all(prints):
        fail(name, "gitlab: fingerprints missing or not unique")
    for i in issues:
        if not i.get("description") or not i.get("check_name"):
            fail(name, f"gitlab: issue without description/check_name: {i}")
        if i.get("severity") not in GITLAB_SEVERITIES:
            fail(name, f"gitlab: severity {i.get('severity')}")
        loc = i.get("location", {})
        if not loc.get("path") or not isinstance(loc.get("lines", {}).get("begin"), int) \
                or loc["lines"]["begin"] < 1:
            fail(name, f"gitlab: bad location {loc}")
        if loc.get("path", "").startswith("/"):
            fail(name, f"gitlab: absolute path {loc['path']}")


def check_junit(name, text, report, nrules):
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as e:
        fail(name, f"junit: not well-formed: {e}")
        return
    if root.tag != "testsuites":
        fail(name, f"junit: root <{root.tag}>")
        return
    suites = root.findall("testsuite")
    if len(suites) != len(report["files"]):
        fail(name, f"junit: {len(suites)} suites for {len(report['files'])} files")
    failing = 0
    for s, f in zip(suites, report["files"]):
        for attr in ("name", "tests", "failures", "errors"):
            if attr not in s.attrib:
                fail(name, f"junit: testsuite without {attr}")
        cases = s.findall("testcase")
        want = 1 if "error" in f else nrules
        if len(cases) != want or int(s.get("tests", -1)) != want:
            fail(name, f"junit: {s.get('name')}: {len(cases)} test cases, tests={s.get('tests')}, want {want}")
        nfail = nerr = 0
        for c in cases:
            if not c.get("name"):
                fail(name, "junit: testcase without name")
            kids = [k.tag for k in c]
            if any(k not in ("skipped", "error", "failure", "system-out", "system-err") for k in kids) \
                    or len(kids) > 1:
                fail(name, f"junit: testcase children {kids}")
            nfail += kids.count("failure")
            nerr += kids.count("error")
        if nfail != int(s.get("failures", -1)) or nerr != int(s.get("errors", -1)):
            fail(name, f"junit: {s.get('name')}: counts do not match its test cases")
        failing += nfail
        rules = {fd["rule"] for fd in report["findings"] if fd["path"] == f["path"]}
        flagged = {c.get("name") for c in cases if c.find("failure") is not None or c.find("error") is not None}
        if "error" not in f and rules != flagged:
            fail(name, f"junit: {f['path']}: failing rules {sorted(flagged)} but findings of {sorted(rules)}")
    if int(root.get("failures", -1)) != failing:
        fail(name, "junit: testsuites/@failures does not add up")


def check_checkstyle(name, text, report):
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as e:
        fail(name, f"checkstyle: not well-formed: {e}")
        return
    if root.tag != "checkstyle" or any(f.tag != "file" or not f.get("name") for f in root):
        fail(name, "checkstyle: expected <checkstyle> with <file name=...> children")
        return
    errors = [e for f in root for e in f if e.get("source") != "kvmlint.read"]
    if len(errors) != len(report["findings"]):
        fail(name, f"checkstyle: {len(errors)} errors for {len(report['findings'])} findings")
    for e, fd in zip(errors, report["findings"]):
        if e.tag != "error" or e.get("severity") not in ("error", "warning", "info") \
                or not e.get("line", "").isdigit() or e.get("source") != "kvmlint." + fd["rule"]:
            fail(name, f"checkstyle: bad <{e.tag} {e.attrib}>")


def main():
    if not BIN or not os.path.exists(BIN):
        print("KVMLINT_BINARY is not set or absent", file=sys.stderr)
        return 1
    validator, why = sarif_validator()
    if not validator:
        print(f"SARIF schema validation skipped: {why}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, args, stdin in CASES:
            reports = run_case(name, args, stdin, tmp)
            if not reports:
                continue
            report = json.loads(reports["json"])
            nrules = len(json.loads(reports["sarif"])["runs"][0]["tool"]["driver"]["rules"])
            nfixes = check_sarif(name, reports["sarif"], report, validator)
            check_gitlab(name, reports["gitlab"], report)
            check_junit(name, reports["junit"], report, nrules)
            check_checkstyle(name, reports["checkstyle"], report)
            print(f"{name}: {len(report['findings'])} findings, {nfixes} SARIF fixes checked")
    for f in FAILURES:
        print("FAIL:", f, file=sys.stderr)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
