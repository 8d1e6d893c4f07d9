"""streamhooks-py-build: its error messages, the WIT it ships, and one real component build."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import unittest
from pathlib import Path

from streamhooks_sdk import _component, build
from streamhooks_sdk._bindings import wit_path

REPO_WIT = Path(__file__).resolve().parents[2] / "wit" / "streamhooks.wit"

MANIFEST = """\
name = "tiny"
version = "0.1.0"
component = "tiny.wasm"
subscribe = ["contact-connected"]

[limits]
memory_mib = 48
"""

APP = """\
import streamhooks_sdk as sh


class Handler(sh.Handler):
    def on_contact_connected(self, event):
        return [sh.actions.stop_contact(event.require_contact_id())]
"""


class Build(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="streamhooks-py-build-"))
        self.addCleanup(shutil.rmtree, self.dir)
        self.plugin = self.dir / "tiny"
        self.plugin.mkdir()

    def run_build(self, *args: str) -> tuple[int, str]:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = build.main([str(self.plugin), "--out", str(self.dir / "out"), *args])
        return status, err.getvalue()

    def test_the_shipped_wit_is_the_repository_one(self) -> None:
        if not REPO_WIT.is_file():
            self.skipTest("not in the repository")
        self.assertEqual(wit_path().read_bytes(), REPO_WIT.read_bytes())

    def test_clear_errors(self) -> None:
        status, err = self.run_build()
        self.assertEqual(status, 1)
        self.assertIn(f"{self.plugin}: no plugin.toml", err)
        (self.plugin / "plugin.toml").write_text('name = "tiny"\nversion = "0.1.0"\n')
        self.assertIn("plugin.toml: missing key `component`", self.run_build()[1])
        (self.plugin / "plugin.toml").write_text('name = "tiny"\ncomponent = [\n')
        self.assertIn(f"{self.plugin / 'plugin.toml'}: ", self.run_build()[1])
        (self.plugin / "plugin.toml").write_text(MANIFEST)
        self.assertIn("no module `app` (app.py or app/)", self.run_build()[1])
        (self.plugin / "app.py").write_text("import not_installed_anywhere\n")
        status, err = self.run_build()
        self.assertEqual(status, 1)
        self.assertIn("componentize-py failed", err)
        self.assertIn("ModuleNotFoundError: No module named 'not_installed_anywhere'", err)
        self.assertFalse((self.dir / "out" / "tiny.wasm").exists())
        (self.plugin / "app.py").write_text("import streamhooks_sdk\n\nclass Plugin(streamhooks_sdk.Handler):\n    pass\n")
        status, err = self.run_build()
        self.assertEqual(status, 1)
        self.assertIn("app must define the exported class under the name Handler", err)

    @unittest.skipIf(os.environ.get("STREAMHOOKS_PY_SKIP_BUILD") == "1", "STREAMHOOKS_PY_SKIP_BUILD=1")
    def test_builds_a_component_that_imports_only_the_host(self) -> None:
        (self.plugin / "plugin.toml").write_text(MANIFEST)
        (self.plugin / "app.py").write_text(APP)
        status, err = self.run_build()
        self.assertEqual((status, err), (0, ""))
        out = self.dir / "out"
        self.assertEqual((out / "plugin.toml").read_text(), MANIFEST)
        imports, exports = _component.imports_and_exports((out / "tiny.wasm").read_bytes())
        self.assertEqual(set(imports), set(build.HOST_IMPORTS))
        self.assertIn(build.HANDLER_EXPORT, exports)

    def test_warns_when_memory_is_too_small_for_python(self) -> None:
        warning = build._memory_warning({"limits": {"memory_mib": 12}}, Path("p/plugin.toml"))
        self.assertIsNotNone(warning)
        self.assertIn("p/plugin.toml: [limits] memory_mib is 12", warning or "")
        self.assertIsNone(build._memory_warning({}, Path("p/plugin.toml")))  # the default, 16
        self.assertIsNone(build._memory_warning({"limits": {"memory_mib": 32}}, Path("p")))


class ComponentReader(unittest.TestCase):
    def test_refuses_what_is_not_a_component(self) -> None:
        with self.assertRaises(_component.ComponentFormatError):
            _component.imports_and_exports(b"\x00asm\x01\x00\x00\x00")  # a core module

    def test_reads_names_of_a_hand_made_component(self) -> None:
        # One import `a:b/c` (instance type 0) and no export: preamble, an import section.
        name = b"a:b/c"
        body = bytes([1, 0x00, len(name)]) + name + bytes([0x05, 0x00])
        data = b"\x00asm\x0d\x00\x01\x00" + bytes([10, len(body)]) + body
        self.assertEqual(_component.imports_and_exports(data), (["a:b/c"], []))


if __name__ == "__main__":
    unittest.main()
