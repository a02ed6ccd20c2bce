"""Asserts, with aws_cdk.assertions, what the Python consumer app (app.py) synthesizes."""
import pytest
from aws_cdk import Stack
from aws_cdk.assertions import Annotations, Match, Template

from app import ACCOUNT, REGION, build_app
from render_stack import REMOTION_FUNCTION_NAME, RenderStack

FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{REMOTION_FUNCTION_NAME}"


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> tuple[RenderStack, Template]:
    app, stack = build_app(outdir=str(tmp_path_factory.mktemp("cdk.out")))
    assembly = app.synth()
    assert [s.stack_name for s in assembly.stacks] == ["RemotionRenderStack"]
    return stack, Template.from_stack(stack)


def resource_of(stack: Stack, template: Template, construct) -> dict:
    """The template resource of an L2 construct, found by its logical id."""
    logical_id = stack.get_logical_id(construct.node.default_child)
    return template.to_json()["Resources"][logical_id]


def test_every_route_needs_a_jwt_from_the_authorizer(synthesized):
    _, template = synthesized
    routes = template.find_resources("AWS::ApiGatewayV2::Route")
    assert sorted(r["Properties"]["RouteKey"] for r in routes.values()) == [
        "GET /renders",
        "GET /renders/{renderId}",
        "POST /renders",
    ]
    authorizers = template.find_resources("AWS::ApiGatewayV2::Authorizer")
    assert len(authorizers) == 1
    (authorizer_id,) = authorizers
    assert authorizers[authorizer_id]["Properties"]["AuthorizerType"] == "JWT"
    for route_key in ("POST /renders", "GET /renders/{renderId}", "GET /renders"):
        template.has_resource_properties("AWS::ApiGatewayV2::Route", {
            "RouteKey": route_key,
            "AuthorizationType": "JWT",
            "AuthorizerId": {"Ref": authorizer_id},
        })


def test_render_records_table_is_on_demand_with_pitr_ttl_and_the_listing_index(synthesized):
    stack, template = synthesized
    records = stack.api.records
    assert records is not None
    table = resource_of(stack, template, records.table)
    assert table["DeletionPolicy"] == "Retain"
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    assert [index["IndexName"] for index in properties["LocalSecondaryIndexes"]] == ["byCreatedAt"]
    assert records.max_renders_in_progress == 3
    assert records.idempotency is True


def test_ec2_role_is_trusted_by_ec2_only_and_has_an_instance_profile(synthesized):
    stack, template = synthesized
    role = resource_of(stack, template, stack.render_role)
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [{
        "Action": "sts:AssumeRole",
        "Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"},
    }]
    role_id = stack.get_logical_id(stack.render_role.node.default_child)
    template.resource_properties_count_is("AWS::IAM::InstanceProfile", {"Roles": [{"Ref": role_id}]}, 1)
    assert stack.render_role.assumed_by_lambda is False


def statements(stack: Stack, template: Template, policy) -> list[dict]:
    document = resource_of(stack, template, policy)["Properties"]["PolicyDocument"]
    return [{key: s[key] for key in ("Sid", "Effect", "Action", "Resource")} for s in document["Statement"]]


def test_ec2_role_managed_policy_is_render_only_with_default_buckets(synthesized):
    stack, template = synthesized
    assert statements(stack, template, stack.render_role.policy) == [
        {"Sid": "RemotionInvokeRenderFunction", "Effect": "Allow",
         "Action": "lambda:InvokeFunction", "Resource": FUNCTION_ARN},
        {"Sid": "RemotionReadWriteRenderObjects", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::remotionlambda-*/*"},
        {"Sid": "RemotionListRenderBucket", "Effect": "Allow",
         "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": "arn:aws:s3:::remotionlambda-*"},
        {"Sid": "RemotionFindRenderBucket", "Effect": "Allow",
         "Action": "s3:ListAllMyBuckets", "Resource": "*"},
    ]
    role = resource_of(stack, template, stack.render_role)
    policy_id = stack.get_logical_id(stack.render_role.policy.node.default_child)
    assert role["Properties"]["ManagedPolicyArns"] == [{"Ref": policy_id}]


def test_api_handler_role_is_scoped_to_the_function_and_its_regions_bucket(synthesized):
    stack, template = synthesized
    handler_role = stack.api.render_function.role
    assert statements(stack, template, handler_role.policy) == [
        {"Sid": "RemotionInvokeRenderFunction", "Effect": "Allow",
         "Action": "lambda:InvokeFunction", "Resource": FUNCTION_ARN},
        {"Sid": "RemotionReadWriteRenderObjects", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::remotionlambda-useast1-*/*"},
        {"Sid": "RemotionListRenderBucket", "Effect": "Allow",
         "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": "arn:aws:s3:::remotionlambda-useast1-*"},
    ]
    template.resource_count_is("AWS::IAM::ManagedPolicy", 2)
    template.has_resource_properties("AWS::IAM::Role", {
        "AssumeRolePolicyDocument": {"Statement": [Match.object_like({"Principal": {"Service": "lambda.amazonaws.com"}})]},
    })


def test_outputs_and_no_warnings(synthesized):
    stack, template = synthesized
    assert sorted(template.find_outputs("*")) == [
        "RenderApiUrl", "RenderRegion", "RenderUserPoolClientId", "RenderUserPoolId",
    ]
    template.has_output("RenderRegion", {"Value": REGION})
    Annotations.from_stack(stack).has_no_warning("*", Match.any_value())
    Annotations.from_stack(stack).has_no_error("*", Match.any_value())
