"""The authoring tools are headless: importing them (and running lint/paths) never loads Textual."""

from __future__ import annotations

import subprocess
import sys

from tests.authoring.conftest import ROOT


def test_authoring_never_imports_textual():
    code = (
        "import sys\n"
        "from crisis_triage.authoring import diagram, diff, domains, explore, lint, paths, schema, source\n"
        "from crisis_triage.interop import eido, fhir\n"
        "from crisis_triage.cli import authoring\n"
        "loaded = source.load_with_source(sys.argv[1])\n"
        "lint.lint(loaded)\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
        "assert 'rich' not in sys.modules, 'rich was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "protocols" / "boston-mh-crisis.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
