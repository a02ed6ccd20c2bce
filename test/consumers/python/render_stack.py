from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct
from org_remotion_constructs import (
    AuthenticatedRenderApi,
    RemotionRenderFunctionProps,
    RemotionRenderMonitoring,
    RemotionRenderRole,
    RemotionSite,
)

SERVE_URL = "https://remotionlambda-useast1-abcdef.s3.us-east-1.amazonaws.com/sites/my-site/index.html"
REMOTION_FUNCTION_NAME = "remotion-render-4-0-527-mem2048mb-disk2048mb-120sec"


class RenderStack(Stack):
    """An authenticated render API, and a role for EC2 instances that render with Remotion."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)

        # A site and render function deployed with the Remotion CLI.
        site = RemotionSite.from_site_attributes(
            self, "Site", serve_url=SERVE_URL, remotion_function_name=REMOTION_FUNCTION_NAME
        )

        # POST /renders and GET /renders/{renderId}, behind a Cognito user pool.
        self.api = AuthenticatedRenderApi(
            self,
            "Render",
            render=RemotionRenderFunctionProps(site=site, compositions=["HelloWorld"]),
        )

        # A dashboard, and the recommended alarms, notifying a topic it creates.
        self.monitoring = RemotionRenderMonitoring(self, "Monitoring", api=self.api)

        # A role (not an IAM user with keys) for EC2 instances that call Remotion themselves.
        self.render_role = RemotionRenderRole(
            self,
            "Ec2RenderRole",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            remotion_function_names=[REMOTION_FUNCTION_NAME],
        )
        iam.InstanceProfile(self, "Ec2RenderProfile", role=self.render_role)
