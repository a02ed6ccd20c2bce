"""The Python that users read in the installed wheel runs as written.

jsii-rosetta translates the README's TypeScript snippets and the `@example` blocks into Python
when the wheel is built (from the tablet that `npx projen rosetta:extract` compiled). These tests
read them back from the installed package, the way a Python user sees them (the package's long
description and the classes' docstrings), execute each one against the installed library and
synthesize the result. A mistranslation (`from org.remotion_constructs import ...`, a camelCase
keyword, identifiers run together) fails here with the snippet in the message.

Snippets without imports run in the scope of rosetta/default.ts-fixture and
rosetta/existing-resources.ts-fixture: inside a Stack's constructor, with the library's names, the
aws-cdk-lib modules and the consumer's existing resources (`serve_url`, `my_role`, ...) defined.
"""
import ast
import inspect
import re
import textwrap
from importlib.metadata import metadata

import aws_cdk as cdk
import org_remotion_constructs
import pytest
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager

DIST_NAME = "org-remotion-constructs"
REMOTION_FUNCTION_NAME = "remotion-render-4-0-527-mem2048mb-disk2048mb-120sec"
SERVE_URL = "https://remotionlambda-useast1-abcdef.s3.us-east-1.amazonaws.com/sites/my-site/index.html"
ENV = cdk.Environment(account="111122223333", region="us-east-1")


def readme() -> str:
    """The README as PyPI shows it: the wheel's long description."""
    meta = metadata(DIST_NAME)
    return meta.get_payload() or meta["Description"]


def python_blocks(markdown: str) -> list[str]:
    """Fenced python blocks, also those indented inside a list item."""
    fence = re.compile(r"^( *)```python\n(.*?)^\1```$", re.S | re.M)
    return [textwrap.dedent(m.group(2)) for m in fence.finditer(markdown)]


def docstring_examples() -> list[tuple[str, str]]:
    """(class name, example) for every `Example::` block in the library's docstrings."""
    found = []
    for name, cls in inspect.getmembers(org_remotion_constructs, inspect.isclass):
        doc = inspect.getdoc(cls) or ""
        for m in re.finditer(r"^Example::\n\n((?:(?: {4}.*)?\n)+)", doc + "\n", re.M):
            found.append((name, textwrap.dedent(m.group(1)).strip() + "\n"))
    return found


def snippets() -> list[tuple[str, str]]:
    named = [(f"README python block {i + 1}", code) for i, code in enumerate(python_blocks(readme()))]
    named += [(f"{name} docstring example", code) for name, code in docstring_examples()]
    return named


def is_program(code: str) -> bool:
    """A whole program defines its own classes; anything else runs inside the fixture's Stack."""
    return any(isinstance(node, ast.ClassDef) for node in ast.parse(code).body)


def fixture_names(stack: cdk.Stack) -> dict:
    """What the rosetta fixtures give a snippet: the library, aws-cdk-lib and existing resources."""
    names = {name: getattr(org_remotion_constructs, name) for name in org_remotion_constructs.__all__}
    names.update(
        cdk=cdk, CfnOutput=cdk.CfnOutput, Duration=cdk.Duration, RemovalPolicy=cdk.RemovalPolicy, Stack=cdk.Stack,
        cognito=cognito, iam=iam, lambda_=lambda_, secretsmanager=secretsmanager,
        self=stack,
        serve_url=SERVE_URL,
        remotion_function_name=REMOTION_FUNCTION_NAME,
        site=org_remotion_constructs.RemotionSite.from_site_attributes(
            stack, "ExistingSite", serve_url=SERVE_URL, remotion_function_name=REMOTION_FUNCTION_NAME
        ),
        my_role=iam.Role(stack, "MyRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")),
        my_function=lambda_.Function(
            stack, "MyFunction", runtime=lambda_.Runtime.NODEJS_22_X, handler="index.handler",
            code=lambda_.Code.from_inline("exports.handler = async () => {};"),
        ),
        keys_secret=secretsmanager.Secret(stack, "KeysSecret"),
        user_pool=cognito.UserPool(stack, "UserPool"),
    )
    names["user_pool_client"] = names["user_pool"].add_client("Client")
    return names


def run_snippet(code: str) -> cdk.App:
    """Executes one snippet the way a user would paste it, and returns the app to synthesize."""
    app = cdk.App()
    if is_program(code):
        scope: dict = {"__name__": "snippet"}
        exec(compile(code, "<snippet>", "exec"), scope)
        stacks = [v for v in scope.values() if inspect.isclass(v) and issubclass(v, cdk.Stack) and v is not cdk.Stack]
        assert stacks, "defines no Stack"
        for i, stack_class in enumerate(stacks):
            stack_class(app, f"SnippetStack{i}", env=ENV)
    else:
        # A fragment, with or without imports of its own (hoisted above the fixture in rosetta).
        stack = cdk.Stack(app, "SnippetStack", env=ENV)
        exec(compile(code, "<snippet>", "exec"), fixture_names(stack))
    return app


def test_the_package_carries_translated_snippets():
    found = snippets()
    # The README has TypeScript snippets (translated) and its own Python section; three classes
    # have an @example. Fewer means pacmak dropped or left untranslated some of them.
    assert len(python_blocks(readme())) >= 6, readme()
    assert {name for name, _ in docstring_examples()} >= {"AuthenticatedRenderApi", "RemotionRenderPolicy", "RemotionRenderRole"}
    assert len(found) >= 9


def test_help_shows_the_same_readme_snippets_as_pypi():
    """`help(org_remotion_constructs)` shows the module docstring, PyPI the long description."""
    assert python_blocks(org_remotion_constructs.__doc__ or "") == python_blocks(readme())


def test_no_snippet_imports_a_module_that_does_not_exist():
    for name, code in snippets():
        assert "org.remotion_constructs" not in code, f"{name}:\n{code}"
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.ImportFrom) and node.module and "remotion" in node.module:
                assert node.module == "org_remotion_constructs", f"{name}:\n{code}"
                for alias in node.names:
                    assert alias.name in org_remotion_constructs.__all__, f"{name} imports {alias.name}:\n{code}"


def test_no_snippet_uses_typescript_names():
    """camelCase keywords or attributes are TypeScript left untranslated (`logGroup`, `serveUrl`)."""
    camel = re.compile(r"^[a-z]+[A-Z]")
    for name, code in snippets():
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.keyword) and node.arg:
                assert not camel.match(node.arg), f"{name}: keyword {node.arg}:\n{code}"
            if isinstance(node, ast.Attribute):
                assert not camel.match(node.attr), f"{name}: attribute {node.attr}:\n{code}"


def test_no_snippet_repeats_a_comment():
    """Rosetta writes some comments twice; the README avoids the shapes that trigger it."""
    for name, code in snippets():
        lines = [line.strip() for line in code.splitlines()]
        for first, second in zip(lines, lines[1:]):
            assert not (first.startswith("#") and first == second), f"{name} repeats {first}:\n{code}"


@pytest.mark.parametrize("name,code", snippets(), ids=[name for name, _ in snippets()])
def test_snippet_runs_and_synthesizes(name, code):
    app = run_snippet(code)
    assembly = app.synth()
    resources = [r for stack in assembly.stacks for r in stack.template.get("Resources", {}).values()]
    types = {r["Type"] for r in resources}
    # Every snippet makes something of ours: a role, a policy or the whole API.
    assert types & {"AWS::IAM::Role", "AWS::IAM::ManagedPolicy", "AWS::ApiGatewayV2::Api"}, f"{name} made {sorted(types)}:\n{code}"
