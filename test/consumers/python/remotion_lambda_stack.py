import os

from aws_cdk import Stack
from constructs import Construct
from org_remotion_constructs import AuthenticatedRenderApi, RemotionLambda, RemotionRenderFunctionProps

HERE = os.path.dirname(os.path.abspath(__file__))
# The output folder of `npx remotion bundle`; here the tests' fixture.
BUNDLE_DIR = os.path.join(HERE, "..", "..", "remotion-lambda", "fixtures", "site")


class RemotionLambdaStack(Stack):
    """Remotion's own render function, bucket and site, and the render API in front of them."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)

        # From the @remotion/lambda that `npm i` put in this folder's node_modules.
        self.remotion = RemotionLambda(self, "Remotion", remotion_package_dir=HERE)
        self.site = self.remotion.add_site("my-video", bundle_dir=BUNDLE_DIR)
        self.api = AuthenticatedRenderApi(
            self,
            "Render",
            render=RemotionRenderFunctionProps(site=self.site, compositions=["HelloWorld"]),
        )
