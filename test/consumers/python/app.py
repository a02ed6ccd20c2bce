"""A CDK app in Python that uses @org/remotion-constructs through its jsii wheel.

render_stack.py is the README's Python snippet (test/consumers/README-snippets.md); test_app.py
asserts on what this app synthesizes. `python app.py` writes cdk.out/.
"""
from aws_cdk import App, Environment

from render_stack import RenderStack

ACCOUNT = "111122223333"
REGION = "us-east-1"


def build_app(outdir: str | None = None) -> tuple[App, RenderStack]:
    """The app: partition literals on, so that ARNs in a concrete environment are plain strings."""
    app = App(outdir=outdir, context={"@aws-cdk/core:enablePartitionLiterals": True})
    stack = RenderStack(app, "RemotionRenderStack", env=Environment(account=ACCOUNT, region=REGION))
    return app, stack


if __name__ == "__main__":
    build_app()[0].synth()
