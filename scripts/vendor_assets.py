#!/usr/bin/env python3
"""Vendor the explorer's front-end packages from npm into ``cop_graph/web/static/vendor/``.

The packages and their exact versions are pinned in ``scripts/vendor/package.json`` and its
lockfile. ``npm ci`` installs them into a scratch folder; this script copies only the files
the pages load, each package's licence and, for a bundle, the licences of the packages it
bundles, then writes ``VENDOR.json`` with every file's sha256. Run again on the same
lockfile it writes the same bytes, which ``--check`` verifies.

    python scripts/vendor_assets.py           # vendor (needs npm and the npm registry)
    python scripts/vendor_assets.py --check   # vendor into a scratch folder and compare

To move to another version: change the pin in ``scripts/vendor/package.json``, run
``npm install --package-lock-only --ignore-scripts`` in ``scripts/vendor/``, then this script.
Only this script needs npm: the vendored files are committed, so installing the package does not.
"""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PINS = ROOT / "scripts" / "vendor"
VENDOR = ROOT / "cop_graph" / "web" / "static" / "vendor"
MANIFEST = "VENDOR.json"
EXACT = re.compile(r"^\d+\.\d+\.\d+$")
LICENCE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENCE.md", "LICENCE.txt", "License.txt",
                 "license", "license.md", "license.txt", "LICENSE-MIT", "LICENSE-MIT.txt")


@dataclass(frozen=True)
class Package:
    """One npm package: the files the pages load (vendored name to path in the package) and
    where its licence text comes from when the package ships none."""

    name: str
    folder: str
    files: dict[str, str]
    bundle: bool = False  # its build bundles its dependencies: their licences go beside it
    licence_fallback: str | None = None  # a file in scripts/vendor/licences/ (the upstream repository's)
    notes: tuple[str, ...] = field(default=())


PACKAGES = (
    Package("@zazuko/yasgui", "yasgui", {"yasgui.min.js": "build/yasgui.min.js",
                                         "yasgui.min.css": "build/yasgui.min.css"},
            bundle=True, licence_fallback="zazuko-yasgui.LICENSE",
            notes=("The SPARQL editor (Yasqe) and result views (Yasr) of /sparql, from one bundle.",
                   "The npm package ships no licence file: LICENSE is the upstream repository's MIT licence.")),
    Package("cytoscape", "cytoscape", {"cytoscape.min.js": "dist/cytoscape.min.js"},
            notes=("The network view's graph drawing.",)),
)


class VendorError(Exception):
    """Something about the pins, npm or a package that stops vendoring."""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_pins() -> tuple[dict, dict]:
    """package.json and its lockfile, checked: every package pinned to one exact version."""
    manifest = json.loads((PINS / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((PINS / "package-lock.json").read_text(encoding="utf-8"))
    wanted = manifest.get("dependencies", {})
    for package in PACKAGES:
        version = wanted.get(package.name, "")
        if not EXACT.match(version):
            raise VendorError(f"scripts/vendor/package.json must pin {package.name} to an exact version, "
                              f"not {version!r}")
        locked = lock["packages"].get(f"node_modules/{package.name}", {})
        if locked.get("version") != version:
            raise VendorError(f"the lockfile has {package.name} {locked.get('version')}, package.json {version}: "
                              "run `npm install --package-lock-only --ignore-scripts` in scripts/vendor/")
    return manifest, lock


def npm_ci(into: Path) -> Path:
    """Install the lockfile's packages into ``into`` (no install scripts run); their folder."""
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(PINS / name, into / name)
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is not installed; only this script needs it (the vendored files are committed)")
    command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    done = subprocess.run(command, cwd=into, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise VendorError(f"npm ci failed:\n{done.stderr or done.stdout}")
    return into / "node_modules"


def licence_file(folder: Path) -> Path | None:
    return next((folder / name for name in LICENCE_NAMES if (folder / name).is_file()), None)


def repository(folder: Path) -> str | None:
    """The source repository a package's package.json names (several packages may share one)."""
    declared = json.loads((folder / "package.json").read_text(encoding="utf-8")).get("repository")
    return declared.get("url") if isinstance(declared, dict) else declared


def dependency_tree(lock: dict, name: str) -> list[str]:
    """The lockfile keys of every package ``name`` depends on, directly or not (node's lookup:
    a nested node_modules first, then the ones above it)."""
    found: list[str] = []

    def resolve(dependency: str, parent: str) -> str | None:
        base = parent
        while True:
            key = f"{base}/node_modules/{dependency}" if base else f"node_modules/{dependency}"
            if key in lock["packages"]:
                return key
            if not base:
                return None
            base = base.rsplit("/node_modules/", 1)[0] if "/node_modules/" in base else ""

    def walk(key: str) -> None:
        for dependency in sorted(lock["packages"][key].get("dependencies", {})):
            resolved = resolve(dependency, key)
            if resolved is None:
                raise VendorError(f"{dependency}, a dependency of {key}, is not in the lockfile")
            if resolved not in found:
                found.append(resolved)
                walk(resolved)

    walk(f"node_modules/{name}")
    return sorted(found)


def third_party_notice(package: Package, lock: dict, modules: Path) -> str:
    """The licences of everything a bundle is built from, one section per package."""
    version = lock["packages"][f"node_modules/{package.name}"]["version"]
    parts = [f"Licences of the packages bundled in the build of {package.name} {version}: its dependencies,\n"
             "at the versions locked in scripts/vendor/package-lock.json.\n"]
    for key in dependency_tree(lock, package.name):
        entry = lock["packages"][key]
        name = key.rsplit("node_modules/", 1)[1]
        title = f"{name} {entry['version']} ({entry.get('license', 'no licence declared')})"
        found = licence_file(modules.parent / key)
        if found:
            text = found.read_text(encoding="utf-8", errors="replace").strip()
        elif repository(modules.parent / key) == repository(modules / package.name):
            text = f"Built from the same repository as {package.name}: its licence is LICENSE, beside this file."
        else:
            text = f"The package ships no licence file; its package.json declares: {entry.get('license', 'nothing')}."
        parts.append(f"{'=' * 78}\n{title}\n{'=' * 78}\n\n{text}\n")
    return "\n".join(parts)


def vendor_package(package: Package, lock: dict, modules: Path, target: Path) -> dict:
    """Copy one package's files and licences into ``target/<folder>``; its manifest entry."""
    source = modules / package.name
    folder = target / package.folder
    folder.mkdir(parents=True)
    entry = lock["packages"][f"node_modules/{package.name}"]
    files = []
    for vendored, inside in package.files.items():
        if not (source / inside).is_file():
            raise VendorError(f"{package.name} {entry['version']} has no {inside}")
        shutil.copyfile(source / inside, folder / vendored)
        files.append({"path": f"{package.folder}/{vendored}", "from": inside})
    licence = licence_file(source)
    if licence is None and package.licence_fallback is None:
        raise VendorError(f"{package.name} ships no licence file and none is given in scripts/vendor/licences/")
    licence = licence or PINS / "licences" / package.licence_fallback
    shutil.copyfile(licence, folder / "LICENSE")
    origin = licence.name if licence.parent == source else f"scripts/vendor/licences/{licence.name}"
    files.append({"path": f"{package.folder}/LICENSE", "from": origin})
    licences = [f"{package.folder}/LICENSE"]
    if package.bundle:
        (folder / "THIRD-PARTY-LICENSES.txt").write_text(third_party_notice(package, lock, modules), encoding="utf-8")
        files.append({"path": f"{package.folder}/THIRD-PARTY-LICENSES.txt", "from": "the licences of its dependencies"})
        licences.append(f"{package.folder}/THIRD-PARTY-LICENSES.txt")
    for item in files:
        item["sha256"] = sha256(target / item["path"])
    return {"name": package.name, "version": entry["version"], "license": entry.get("license"),
            "integrity": entry["integrity"], "folder": package.folder, "notes": list(package.notes),
            "files": files, "licences": licences}


def vendor_into(target: Path) -> None:
    """The whole vendor folder, written afresh into ``target`` (which must not exist)."""
    _, lock = read_pins()
    target.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="cop-graph-npm-") as scratch:
        modules = npm_ci(Path(scratch))
        packages = [vendor_package(package, lock, modules, target) for package in PACKAGES]
    manifest = {"about": "Written by scripts/vendor_assets.py from scripts/vendor/package-lock.json; "
                         "tests/test_vendored_assets.py checks every file against its sha256.",
                "packages": packages}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def differences(one: Path, other: Path) -> list[str]:
    """Files present in only one of two folders, or different in content."""
    ones = {p.relative_to(one) for p in one.rglob("*") if p.is_file()}
    others = {p.relative_to(other) for p in other.rglob("*") if p.is_file()}
    found = [f"only in the committed folder: {p}" for p in sorted(ones - others)]
    found += [f"only in the new vendoring: {p}" for p in sorted(others - ones)]
    found += [f"differs: {p}" for p in sorted(ones & others) if not filecmp.cmp(one / p, other / p, shallow=False)]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="vendor into a scratch folder and compare with the committed files; change nothing")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="cop-graph-vendor-") as scratch:
            fresh = Path(scratch) / "vendor"
            vendor_into(fresh)
            if args.check:
                found = differences(VENDOR, fresh)
                for line in found:
                    print(line)
                print("the vendored files are as the lockfile makes them" if not found else
                      f"{len(found)} difference(s): run scripts/vendor_assets.py")
                return 1 if found else 0
            shutil.rmtree(VENDOR, ignore_errors=True)
            shutil.copytree(fresh, VENDOR)
    except VendorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for package in json.loads((VENDOR / MANIFEST).read_text(encoding="utf-8"))["packages"]:
        print(f"{package['name']} {package['version']}: " + ", ".join(f["path"] for f in package["files"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
