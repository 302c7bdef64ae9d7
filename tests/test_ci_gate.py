"""The CI gate: the composite action, the example workflow and the pre-commit hooks.

Validated as far as this machine allows (no GitHub runner here):
- the YAML against SchemaStore's schemas for GitHub actions and workflows, as vendored by the
  ``check-jsonschema`` package (skipped when it is not installed), and against pre-commit's own
  manifest loader (skipped likewise);
- always, the structural rules the runner enforces that those schemas do not: every run step names
  its shell, every ``${{ }}`` expression refers to a declared input or an earlier step's output;
- and the commands themselves: the action's ``run`` steps are executed by bash with the environment
  the runner would give them (inputs substituted, ``GITHUB_OUTPUT`` / ``GITHUB_STEP_SUMMARY`` files),
  against a correct and a broken client; each hook's entry is run as pre-commit runs it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / ".github" / "actions" / "check-client" / "action.yml"
WORKFLOW = ROOT / "examples" / "ci" / "check-client.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
BROKEN_CLIENT = f"{sys.executable} {ROOT / 'tests' / 'client' / 'broken_client.py'}"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _load(path: Path) -> Any:
    return yaml.load(path.read_text(), Loader=yaml.BaseLoader)  # as the runner reads it: every scalar a string


def _typed(path: Path) -> Any:
    """The document with YAML's types, for the schemas (YAML 1.1's ``on: true`` key read as "on", as GitHub does)."""
    document = yaml.safe_load(path.read_text())
    return {("on" if key is True else key): value for key, value in document.items()}


def _schemastore(name: str) -> dict[str, Any]:
    pytest.importorskip("check_jsonschema", reason="SchemaStore's schemas come vendored in check-jsonschema")
    return json.loads((resources.files("check_jsonschema.builtin_schemas.vendor") / name).read_text())


def test_the_action_is_valid_per_schemastore() -> None:
    jsonschema.validate(_typed(ACTION), _schemastore("github-actions.json"))


def test_the_schema_check_can_fail() -> None:
    broken = _typed(ACTION)
    del broken["runs"]["using"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, _schemastore("github-actions.json"))


def test_the_example_workflow_is_valid_per_schemastore() -> None:
    jsonschema.validate(_typed(WORKFLOW), _schemastore("github-workflows.json"))


def test_the_example_workflow_uses_this_action_with_declared_inputs() -> None:
    (job,) = _load(WORKFLOW)["jobs"].values()
    (step,) = [step for step in job["steps"] if step.get("uses", "").endswith("/.github/actions/check-client@main")]
    assert set(step["with"]) <= set(_load(ACTION)["inputs"])


def test_the_action_structure_holds_what_the_runner_requires() -> None:
    action = _load(ACTION)
    assert action["runs"]["using"] == "composite"
    inputs, seen_ids = action["inputs"], set()
    for name, spec in inputs.items():
        assert spec["description"] and "default" in spec, name
    for step in action["runs"]["steps"]:
        assert ("run" in step) != ("uses" in step), step["name"]
        if "run" in step:
            assert step["shell"] == "bash", step["name"]
        for expression in EXPRESSION.findall(yaml.safe_dump(step)):
            for reference in re.findall(r"(inputs|steps)\.([\w-]+)", expression):
                kind, name = reference
                assert name in (inputs if kind == "inputs" else seen_ids), f"{step['name']}: {expression}"
        seen_ids.add(step.get("id", ""))
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.check.outputs.exit-code }}"


def _evaluate(value: str, inputs: dict[str, str], outputs: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        if expression.startswith("steps.") and ".outputs." in expression:
            return outputs[expression.rsplit(".", 1)[-1]]
        raise AssertionError(f"an expression this test cannot evaluate: {expression}")

    return EXPRESSION.sub(one, value)


def _run_action(workspace: Path, **overrides: str) -> tuple[list[int], dict[str, str], str]:
    """Run every ``run`` step of the action as the runner would; returns exit codes, outputs, summary."""
    action = _load(ACTION)
    inputs = {name: spec["default"] for name, spec in action["inputs"].items()}
    inputs.update({name.replace("_", "-"): value for name, value in overrides.items()})
    output_file, summary_file = workspace / "github_output", workspace / "step_summary"
    output_file.touch()
    summary_file.touch()
    codes: list[int] = []
    outputs: dict[str, str] = {}
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # connect-contract as installed
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue  # actions/setup-python and actions/upload-artifact are the runner's
        assert "if" not in step, "a run step with a condition this test does not evaluate"
        env = dict(os.environ)  # a runner step sees the job's environment, plus its own env: block
        env |= {key: _evaluate(value, inputs, outputs) for key, value in step.get("env", {}).items()}
        env |= {"PATH": path, "GITHUB_OUTPUT": str(output_file), "GITHUB_STEP_SUMMARY": str(summary_file)}
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]], cwd=workspace, env=env, capture_output=True, text=True, check=False
        )
        codes.append(done.returncode)
        outputs |= dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
    return codes, outputs, summary_file.read_text()


def test_the_action_passes_a_correct_client_and_writes_both_reports(tmp_path: Path) -> None:
    codes, outputs, summary = _run_action(
        tmp_path, package="", client="boto3", vectors="request.required-only", report="out/client.md"
    )
    assert codes == [0, 0, 0] and outputs["exit-code"] == "0"
    assert (tmp_path / "out" / "client.md").read_text() in summary and "boto3" in summary
    assert "<testsuite" in (tmp_path / "connect-contract-client.xml").read_text()


def test_the_action_fails_a_broken_client_after_writing_the_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROKEN_CLIENT_DEFECT", "wrong-path")
    codes, outputs, summary = _run_action(
        tmp_path,
        package="",
        client_cmd=BROKEN_CLIENT,
        client_name="handwritten",
        persistent="true",
        vectors="request.required-only",
    )
    assert codes == [0, 0, 1] and outputs["exit-code"] == "1"
    assert "req.path" in summary and "handwritten" in summary
    assert "req.path" in (tmp_path / "connect-contract-client.xml").read_text()


def test_the_hooks_manifest_loads_in_pre_commit() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib", reason="pre-commit validates its own manifests")
    hooks = clientlib.load_manifest(str(HOOKS))
    assert {hook["id"] for hook in hooks} == {"connect-contract-contracts-check", "connect-contract-lint"}


def _hook(hook_id: str) -> dict[str, Any]:
    return next(hook for hook in yaml.safe_load(HOOKS.read_text()) if hook["id"] == hook_id)


def _run_hook(hook: dict[str, Any], cwd: Path, files: list[str]) -> subprocess.CompletedProcess[str]:
    """As pre-commit runs it: entry + args, then the staged files matching ``files`` (unless pass_filenames is off)."""
    matching = [name for name in files if re.search(hook.get("files", ""), name)]
    assert matching, "the hook would not run for these files"
    command = [*shlex.split(hook["entry"]), *hook.get("args", [])]
    if hook.get("pass_filenames", True):
        command += matching
    command[0] = str(Path(sys.executable).parent / command[0])
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def test_the_contracts_hook_passes_the_committed_contracts_and_catches_drift(tmp_path: Path) -> None:
    hook = _hook("connect-contract-contracts-check")
    assert _run_hook(hook, ROOT, ["contracts/openapi.json"]).returncode == 0
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    schema = tmp_path / "contracts" / "request.schema.json"
    schema.write_text(schema.read_text().replace('"maxLength"', '"maxLengthX"', 1))
    drifted = _run_hook(hook, tmp_path, ["contracts/request.schema.json"])
    assert drifted.returncode == 1 and "request.schema.json" in drifted.stdout + drifted.stderr


def test_the_lint_hook_passes_the_committed_cassettes_and_catches_a_broken_one(tmp_path: Path) -> None:
    hook = _hook("connect-contract-lint")
    mission = "cassettes/connect/UpdateParticipantAuthentication"
    assert _run_hook(hook, ROOT, [f"{mission}/body-empty.yaml", f"{mission}/body-invalid-json.yaml"]).returncode == 0
    (tmp_path / mission).mkdir(parents=True)
    broken = (ROOT / mission / "body-empty.yaml").read_text().replace("      code: 400", "      code: 409")
    (tmp_path / mission / "body-empty.yaml").write_text(broken)
    result = _run_hook(hook, tmp_path, [f"{mission}/body-empty.yaml"])
    assert result.returncode == 1 and "[status-mismatch]" in result.stdout
