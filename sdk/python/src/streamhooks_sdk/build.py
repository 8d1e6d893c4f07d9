"""``streamhooks-py-build``: builds a Python plugin directory into a ready plugin folder.

    streamhooks-py-build [PLUGIN_DIR] --out OUT_DIR [--module app]

reads ``PLUGIN_DIR/plugin.toml`` (``name``, ``component``), runs componentize-py on the module
(default ``app``: ``app.py`` or ``app/``) with the SDK's WIT (world ``plugin``) and
``--stub-wasi``, checks that the component imports only ``streamhooks:plugin/host@0.1.0`` (and
the type-only ``types``) and exports ``streamhooks:plugin/handler@0.1.0``, and writes
``OUT_DIR/<component>`` and ``OUT_DIR/plugin.toml``. Also ``python -m streamhooks_sdk.build``.

The module is imported at build time (componentize-py snapshots the initialised interpreter),
so an import error shows up here, not on the first event.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Optional, Sequence

from . import _component
from ._bindings import COMPONENTIZE_PY_VERSION, WORLD, wit_path

PROG = "streamhooks-py-build"
HOST_IMPORTS = ("streamhooks:plugin/host@0.1.0", "streamhooks:plugin/types@0.1.0")
HANDLER_EXPORT = "streamhooks:plugin/handler@0.1.0"
#: Below this `memory_mib` large events fail as `memory`: a Python component starts with about
#: 13 MiB of linear memory, and the largest event the host decodes took 16 (see the README).
MIN_MEMORY_MIB = 16


class BuildError(Exception):
    """A build failure, with a message for the user."""


def _manifest(plugin_dir: Path) -> dict[str, object]:
    path = plugin_dir / "plugin.toml"
    if not path.is_file():
        raise BuildError(
            f"{plugin_dir}: no plugin.toml (a plugin directory holds plugin.toml and the "
            "plugin module, app.py)"
        )
    try:
        with open(path, "rb") as f:
            manifest = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise BuildError(f"{path}: {e}") from None
    for key in ("name", "component"):
        value = manifest.get(key)
        if value is None:
            raise BuildError(f"{path}: missing key `{key}`")
        if not isinstance(value, str) or not value:
            raise BuildError(f"{path}: `{key}` must be a non-empty string")
    component = Path(str(manifest["component"]))
    if component.is_absolute() or ".." in component.parts:
        raise BuildError(f"{path}: `component` must be a path inside the plugin folder")
    if not str(component).endswith(".wasm"):
        raise BuildError(f"{path}: `component` must name a .wasm file")
    return manifest


def _memory_warning(manifest: dict[str, object], path: Path) -> Optional[str]:
    limits = manifest.get("limits")
    memory = limits.get("memory_mib", 16) if isinstance(limits, dict) else 16
    if isinstance(memory, int) and memory < MIN_MEMORY_MIB:
        return (
            f"{path}: [limits] memory_mib is {memory}: a Python component starts with about "
            f"13 MiB of linear memory and large events need {MIN_MEMORY_MIB} (32 recommended)"
        )
    return None


def _module_exists(plugin_dir: Path, module: str) -> bool:
    return (plugin_dir / f"{module}.py").is_file() or (plugin_dir / module / "__init__.py").is_file()


def _componentize_command() -> list[str]:
    try:
        import componentize_py  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        raise BuildError(
            f"componentize-py is not installed for {sys.executable}: "
            f"pip install componentize-py=={COMPONENTIZE_PY_VERSION}"
        ) from None
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("componentize-py")
    except PackageNotFoundError:
        found = "unknown"
    if found != COMPONENTIZE_PY_VERSION:
        raise BuildError(
            f"componentize-py {found} is installed; the SDK needs {COMPONENTIZE_PY_VERSION}: "
            f"pip install componentize-py=={COMPONENTIZE_PY_VERSION}"
        )
    return [
        sys.executable,
        "-c",
        "import sys, componentize_py; sys.argv[0] = 'componentize-py'; "
        "sys.exit(componentize_py.script())",
    ]


def _failure_excerpt(output: str) -> str:
    """componentize-py reports an exception at import as a Rust error with the Python traceback
    inside, followed by a long native backtrace: keep the traceback."""
    lines = output.splitlines()
    for start, line in enumerate(lines):
        if "Traceback (most recent call last)" in line:
            end = start + 1
            while end < len(lines) and not lines[end].startswith("Stack backtrace"):
                if lines[end].strip().startswith("0:") or lines[end].strip() == "":
                    break
                end += 1
            return "\n".join(lines[start:end])
    return "\n".join(lines[:40])


def build(
    plugin_dir: Path, out_dir: Path, module: str = "app", quiet: bool = False
) -> Path:
    """Builds ``plugin_dir`` into ``out_dir``; returns the component's path."""
    plugin_dir = plugin_dir.resolve()
    manifest = _manifest(plugin_dir)
    manifest_path = plugin_dir / "plugin.toml"
    if not _module_exists(plugin_dir, module):
        raise BuildError(f"{plugin_dir}: no module `{module}` ({module}.py or {module}/)")
    if module == "wit_world" or module.startswith("componentize_py"):
        raise BuildError(f"the module cannot be named `{module}`: componentize-py uses that name")
    warning = _memory_warning(manifest, manifest_path)
    if warning and not quiet:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)

    import streamhooks_sdk

    sdk_parent = Path(streamhooks_sdk.__file__).resolve().parent.parent
    out_dir = out_dir.resolve()
    component = out_dir / str(manifest["component"])
    component.parent.mkdir(parents=True, exist_ok=True)
    partial = component.with_name(component.name + ".partial")
    command = _componentize_command() + [
        "-d",
        str(wit_path()),
        "-w",
        WORLD,
        "componentize",
        "-p",
        str(plugin_dir),
        "-p",
        str(sdk_parent),
        "--stub-wasi",
        "-o",
        str(partial),
        module,
    ]
    started = time.monotonic()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(command, cwd=plugin_dir, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        excerpt = _failure_excerpt(result.stderr + result.stdout)
        if f"module '{module}' has no attribute 'Handler'" in excerpt:
            excerpt += (
                f"\n{module} must define the exported class under the name Handler: "
                "`class Handler(streamhooks_sdk.Handler): ...` (or `Handler = MyPlugin`)"
            )
        raise BuildError(
            f"componentize-py failed (exit status {result.returncode}) on {plugin_dir}:\n"
            + excerpt
        )
    data = partial.read_bytes()
    imports, exports = _component.imports_and_exports(data)
    extra = [name for name in imports if name not in HOST_IMPORTS]
    if extra:
        partial.unlink()
        raise BuildError(
            f"{plugin_dir}: the component imports {', '.join(extra)}; a plugin may import only "
            f"{HOST_IMPORTS[0]}"
        )
    if HANDLER_EXPORT not in exports:
        partial.unlink()
        raise BuildError(f"{plugin_dir}: the component does not export {HANDLER_EXPORT}")
    partial.replace(component)
    if (out_dir / "plugin.toml").resolve() != manifest_path:
        shutil.copyfile(manifest_path, out_dir / "plugin.toml")
    if not quiet:
        size = len(data) / 1e6
        print(
            f"{PROG}: {manifest['name']}: {component} ({size:.1f} MB) "
            f"in {time.monotonic() - started:.1f} s"
        )
    return component


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Build a Python streamhooks plugin (plugin.toml + app.py) into a plugin folder: "
            "OUT/<component> (a WebAssembly component importing only the streamhooks host "
            "interface) and OUT/plugin.toml."
        ),
    )
    parser.add_argument(
        "plugin_dir", nargs="?", default=".", type=Path, help="the plugin directory (default: .)"
    )
    parser.add_argument("--out", required=True, type=Path, help="the folder to write")
    parser.add_argument(
        "--module", default="app", help="the module defining the Handler class (default: app)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    args = parser.parse_args(argv)
    try:
        build(args.plugin_dir, args.out, args.module, args.quiet)
    except BuildError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
