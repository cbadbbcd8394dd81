"""The front-end files served from cop_graph/web/static/vendor/ are exactly what
scripts/vendor_assets.py makes from the pinned npm packages: each file matches the sha256
in VENDOR.json, each package has its licence, every version is pinned exactly, and no
template or static file loads anything from another host (the CSP allows only 'self')."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from cop_graph.web import CSP

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "cop_graph" / "web" / "static"
VENDOR = STATIC / "vendor"
TEMPLATES = ROOT / "cop_graph" / "web" / "templates"
PINS = ROOT / "scripts" / "vendor"
MANIFEST = json.loads((VENDOR / "VENDOR.json").read_text(encoding="utf-8"))
PACKAGES = {package["name"]: package for package in MANIFEST["packages"]}
FILES = [(package["name"], item) for package in MANIFEST["packages"] for item in package["files"]]

# What a browser fetches by itself: an element's src/href/data, CSS url() and @import,
# and the script calls that load code or data; each followed by an absolute or
# protocol-relative URL is a request to another host.
ELSEWHERE = r"""(?:[a-z][a-z0-9+.-]*:)?//"""
TEMPLATE_LOADS = re.compile(rf"""<(?:script|link|img|iframe|source|audio|video|embed|object|track|image|use)\b[^>]*?"""
                            rf"""\s(?:src|href|data|srcset|poster|xlink:href)\s*=\s*["']?\s*{ELSEWHERE}""",
                            re.IGNORECASE)
CSS_LOADS = re.compile(rf"""(?:url\(\s*["']?\s*{ELSEWHERE}|@import\s+["']\s*{ELSEWHERE})""", re.IGNORECASE)
SCRIPT_LOADS = re.compile(r"""(?:\bimportScripts\s*\(|\bimport\s*\(|\bfetch\s*\(|"""
                          r"""\bnew\s+(?:Worker|EventSource|WebSocket)\s*\(|\.src\s*=|\bsrc\s*:|@import\s+|url\(|"""
                          rf"""\.open\(\s*["'`][A-Z]+["'`]\s*,)\s*["'`]\s*{ELSEWHERE}""", re.IGNORECASE)
# Hosts that serve code, fonts or chart loaders to pages: none may be named in what we serve.
LOADER_HOSTS = ("gstatic.com", "googleapis.com", "jsdelivr", "unpkg.com", "cdnjs", "bootstrapcdn", "fontawesome.com/",
                "typekit", "googletagmanager", "google-analytics")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("package", "item"), FILES, ids=[item["path"] for _, item in FILES])
def test_every_vendored_file_matches_its_checksum(package, item):
    path = VENDOR / item["path"]
    assert path.is_file(), f"{item['path']} of {package} is missing: run scripts/vendor_assets.py"
    assert sha256(path) == item["sha256"], f"{item['path']} is not what {package} {PACKAGES[package]['version']} ships"


def test_the_vendor_folder_holds_the_listed_files_and_nothing_else():
    present = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()}
    assert present == {item["path"] for _, item in FILES} | {"VENDOR.json"}


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_each_package_carries_its_licence(name):
    package = PACKAGES[name]
    listed = {item["path"] for item in package["files"]}
    assert f"{package['folder']}/LICENSE" in package["licences"]
    for licence in package["licences"]:
        text = (VENDOR / licence).read_text(encoding="utf-8")
        assert licence in listed and len(text) > 200, licence
        assert "Permission is hereby granted" in text or "License" in text, licence


def test_a_bundle_names_the_licence_of_everything_it_bundles():
    notice = (VENDOR / "yasgui" / "THIRD-PARTY-LICENSES.txt").read_text(encoding="utf-8")
    locked = json.loads((PINS / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    # everything the lockfile installs for the editor bundle (cytoscape has no dependencies);
    # optional ones are type declarations, not code in the bundle
    bundled = {key.rsplit("node_modules/", 1)[1]: entry["version"] for key, entry in locked.items()
               if key and not entry.get("optional") and key not in ("node_modules/@zazuko/yasgui",
                                                                    "node_modules/cytoscape")}
    assert len(bundled) > 20
    missing = [name for name, version in bundled.items() if f"\n{name} {version} (" not in notice]
    assert not missing


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_every_package_is_pinned_to_one_exact_version(name):
    wanted = json.loads((PINS / "package.json").read_text(encoding="utf-8"))["dependencies"]
    locked = json.loads((PINS / "package-lock.json").read_text(encoding="utf-8"))["packages"][f"node_modules/{name}"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", wanted[name]), f"{name} is pinned as {wanted[name]!r}"
    assert wanted[name] == locked["version"] == PACKAGES[name]["version"]
    assert locked["integrity"] == PACKAGES[name]["integrity"]


def test_cytoscape_is_vendored_for_the_network_view():
    assert (VENDOR / "cytoscape" / "cytoscape.min.js").read_text(encoding="utf-8").lstrip().startswith("/**")
    assert PACKAGES["cytoscape"]["license"] == "MIT"


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_no_template_loads_anything_from_another_host(template):
    text = template.read_text(encoding="utf-8")
    assert not TEMPLATE_LOADS.findall(text)
    assert not CSS_LOADS.findall(text)


SERVED = sorted(p for p in STATIC.rglob("*") if p.suffix in (".js", ".css", ".svg", ".html"))


@pytest.mark.parametrize("path", SERVED, ids=lambda p: p.relative_to(STATIC).as_posix())
def test_no_static_file_loads_anything_from_another_host(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    pattern = SCRIPT_LOADS if path.suffix == ".js" else CSS_LOADS
    assert not [m.group(0) for m in pattern.finditer(text)]
    assert not [host for host in LOADER_HOSTS if host in text]


@pytest.mark.parametrize(("pattern", "text"), [
    (TEMPLATE_LOADS, '<script src="https://cdn.example/x.js"></script>'),
    (TEMPLATE_LOADS, "<link rel=stylesheet href=//fonts.example/css>"),
    (TEMPLATE_LOADS, '<img alt="" src="http://example.org/a.png">'),
    (CSS_LOADS, "@font-face { src: url('https://fonts.example/a.woff2') }"),
    (CSS_LOADS, '@import "//example.org/a.css";'),
    (SCRIPT_LOADS, 'fetch("https://lov.example/api?q=" + q)'),
    (SCRIPT_LOADS, "script.src = 'https://www.example.com/charts/loader.js'"),
    (SCRIPT_LOADS, "import('//esm.example/x.js')"),
])
def test_the_checks_find_a_load_from_another_host(pattern, text):
    assert pattern.search(text)


@pytest.mark.parametrize(("pattern", "text"), [
    (TEMPLATE_LOADS, '<a href="https://www.w3.org/TR/sparql11-protocol/">the protocol</a>'),
    (TEMPLATE_LOADS, "<script src=\"{{ url_for('static', filename='x.js') }}\"></script>"),
    (SCRIPT_LOADS, 'const RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";'),
])
def test_the_checks_let_links_and_names_be(pattern, text):
    assert not pattern.search(text)


def test_the_editor_bundle_is_loaded_by_the_query_page_only():
    loading = {t.name for t in TEMPLATES.glob("*.html") if "vendor/yasgui/" in t.read_text(encoding="utf-8")}
    assert loading == {"sparql.html"}


def test_the_content_security_policy_allows_this_origin_only():
    directives = dict(part.strip().split(" ", 1) for part in CSP.split(";"))
    for name, sources in directives.items():
        assert set(sources.split()) <= {"'self'", "'none'", "data:"}, name
    assert "'unsafe-eval'" not in CSP and "'unsafe-inline'" not in CSP
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
