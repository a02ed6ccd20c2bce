"""Asserts what RemotionLambda synthesizes from Python, with the zip of this folder's `npm i @remotion/lambda`."""
import json
import os

import pytest
from aws_cdk import App, Environment
from aws_cdk.assertions import Template

from remotion_lambda_stack import HERE, RemotionLambdaStack

ACCOUNT = "111122223333"
REGION = "us-east-1"
FUNCTION_NAME = "remotion-render-4-0-527-mem2048mb-disk2048mb-120sec"


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    app = App(outdir=str(tmp_path_factory.mktemp("cdk.out")), context={"@aws-cdk/core:enablePartitionLiterals": True})
    stack = RemotionLambdaStack(app, "RemotionLambdaStack", env=Environment(account=ACCOUNT, region=REGION))
    assembly = app.synth()
    return stack, Template.from_stack(stack), assembly.directory


def test_deploys_remotions_function_under_its_own_name(synthesized):
    stack, template, _ = synthesized
    assert stack.remotion.function_name == FUNCTION_NAME
    assert stack.remotion.remotion_version == "4.0.527"
    template.has_resource_properties("AWS::Lambda::Function", {
        "FunctionName": FUNCTION_NAME,
        "Runtime": "nodejs24.x",
        "Handler": "index.handler",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 2048},
    })


def test_takes_the_zip_from_this_folders_node_modules(synthesized):
    _, _, directory = synthesized
    manifest = json.load(open(os.path.join(directory, "RemotionLambdaStack.assets.json")))
    zip_path = os.path.join(HERE, "node_modules", "@remotion", "lambda", "remotionlambda-arm64.zip")
    sizes = [os.path.getsize(os.path.join(directory, a["source"]["path"])) for a in manifest["files"].values()
             if a["source"].get("packaging") == "file"]
    assert os.path.getsize(zip_path) in sizes


def test_renders_go_to_that_function_and_bucket(synthesized):
    stack, _, _ = synthesized
    assert stack.api.render_function.remotion_function_name == FUNCTION_NAME
    assert stack.api.render_function.serve_url == stack.site.serve_url


def test_layers_are_remotions_hosted_layers_of_the_region(synthesized):
    _, template, _ = synthesized
    (function,) = [f for f in template.find_resources("AWS::Lambda::Function").values()
                   if f["Properties"].get("FunctionName") == FUNCTION_NAME]
    kinds = [layer.split(":layer:")[1].rsplit(":", 1)[0] for layer in function["Properties"]["Layers"]]
    assert kinds == ["remotion-binaries-fonts-arm64", "remotion-binaries-chromium-arm64",
                     "remotion-binaries-emoji-google-arm64", "remotion-binaries-cjk-arm64"]
    assert all(layer.startswith(f"arn:aws:lambda:{REGION}:678892195805:layer:") for layer in function["Properties"]["Layers"])
