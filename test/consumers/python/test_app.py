"""Asserts, with aws_cdk.assertions, what the Python consumer app (app.py) synthesizes."""
import json
import re

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk.assertions import Annotations, Match, Template
from org_remotion_constructs import AuthenticatedRenderApi, RemotionRenderFunctionProps, RemotionSite

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


def test_every_route_needs_a_jwt_from_the_authorizer_except_the_signed_webhook(synthesized):
    _, template = synthesized
    routes = template.find_resources("AWS::ApiGatewayV2::Route")
    assert sorted(r["Properties"]["RouteKey"] for r in routes.values()) == [
        "DELETE /renders/{renderId}",
        "GET /renders",
        "GET /renders/{renderId}",
        "POST /renders",
        "POST /webhooks/remotion",
    ]
    (webhook,) = [r for r in routes.values() if r["Properties"]["RouteKey"] == "POST /webhooks/remotion"]
    assert webhook["Properties"]["AuthorizationType"] == "NONE"
    assert "AuthorizerId" not in webhook["Properties"]
    authorizers = template.find_resources("AWS::ApiGatewayV2::Authorizer")
    assert len(authorizers) == 1
    (authorizer_id,) = authorizers
    assert authorizers[authorizer_id]["Properties"]["AuthorizerType"] == "JWT"
    for route_key in ("POST /renders", "GET /renders/{renderId}", "GET /renders", "DELETE /renders/{renderId}"):
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


def test_render_queue_feeds_the_dispatcher_and_a_schedule_runs_the_sweeper(synthesized):
    stack, template = synthesized
    api = stack.api
    assert api.render_queue is not None
    assert api.render_queue.units_per_render == 21
    queue = resource_of(stack, template, api.queue)["Properties"]
    dead_letters = resource_of(stack, template, api.dead_letter_queue)["Properties"]
    dlq_id = stack.get_logical_id(api.dead_letter_queue.node.default_child)
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": [dlq_id, "Arn"]}
    assert dead_letters["SqsManagedSseEnabled"] is True
    assert dead_letters["MessageRetentionPeriod"] == 14 * 24 * 3600

    dispatcher = resource_of(stack, template, api.dispatcher)["Properties"]
    sweeper = resource_of(stack, template, api.sweeper)["Properties"]
    assert dispatcher["Handler"] == "dispatcher.handler"
    assert sweeper["Handler"] == "sweeper.handler"
    queue_id = stack.get_logical_id(api.queue.node.default_child)
    template.has_resource_properties("AWS::Lambda::EventSourceMapping", {
        "EventSourceArn": {"Fn::GetAtt": [queue_id, "Arn"]},
        "FunctionName": {"Ref": stack.get_logical_id(api.dispatcher.node.default_child)},
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "ScalingConfig": {"MaximumConcurrency": 5},
    })
    template.has_resource_properties("AWS::Events::Rule", {
        "ScheduleExpression": "rate(2 minutes)",
        "Targets": [Match.object_like({"Arn": {"Fn::GetAtt": [stack.get_logical_id(api.sweeper.node.default_child), "Arn"]}})],
    })


def test_on_render_finished_rule_sends_failed_and_timed_out_renders_to_a_queue(tmp_path):
    from aws_cdk import aws_events_targets as targets
    from aws_cdk import aws_sqs as sqs
    from org_remotion_constructs import RemotionRenderFinishedStatus

    stack = Stack(App(outdir=str(tmp_path / "cdk.out")), "EventsStack", env=Environment(account=ACCOUNT, region=REGION))
    api = AuthenticatedRenderApi(
        stack,
        "Render",
        render=RemotionRenderFunctionProps(
            site=RemotionSite.from_site_attributes(
                stack,
                "Site",
                serve_url="https://remotionlambda-useast1-abcdef.s3.us-east-1.amazonaws.com/sites/my-site/index.html",
                remotion_function_name=REMOTION_FUNCTION_NAME,
            ),
            compositions=["HelloWorld"],
        ),
    )
    queue = sqs.Queue(stack, "FailedRenders", enforce_ssl=True)
    rule = api.on_render_finished(
        "RenderFailed",
        statuses=[RemotionRenderFinishedStatus.FAILED, RemotionRenderFinishedStatus.TIMED_OUT],
        target=targets.SqsQueue(queue),
    )
    template = Template.from_stack(stack)
    properties = resource_of(stack, template, rule)["Properties"]
    assert properties["EventBusName"] == "default"
    table_id = stack.get_logical_id(api.records.table.node.default_child)
    assert properties["EventPattern"] == {
        "source": ["remotion-constructs"],
        "detail-type": ["Remotion Render Failed", "Remotion Render Timed Out"],
        "resources": [{"Fn::GetAtt": [table_id, "Arn"]}],
    }
    queue_id = stack.get_logical_id(queue.node.default_child)
    assert properties["Targets"][0]["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert api.records.completion_secret is not None
    assert api.completion_webhook_route is not None


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
        {"Sid": "RemotionReadRenderObjects", "Effect": "Allow",
         "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::remotionlambda-useast1-*/renders/*/renders-by-user/*"},
    ]
    # No bucket known at synth: the caller names it, so status reads invoke Remotion's function.
    assert stack.api.render_function.progress_from_bucket is False
    # The EC2 role's, the API handler's and the render queue dispatcher's (the handler's recipe).
    template.resource_count_is("AWS::IAM::ManagedPolicy", 3)
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


def test_uses_the_remotion_installed_in_the_app_folder(synthesized):
    stack, _ = synthesized
    with open("node_modules/@remotion/lambda/package.json", encoding="utf-8") as package:
        installed = json.load(package)["version"]
    assert stack.api.render_function.remotion_version == installed


def test_missing_remotion_install_is_a_clear_synth_error(tmp_path):
    app = App(outdir=str(tmp_path / "cdk.out"))
    stack = Stack(app, "NoRemotion", env=Environment(account=ACCOUNT, region=REGION))
    with pytest.raises(Exception) as raised:
        AuthenticatedRenderApi(
            stack,
            "Render",
            render=RemotionRenderFunctionProps(
                site=RemotionSite.from_site_attributes(
                    stack,
                    "Site",
                    serve_url="https://remotionlambda-useast1-abcdef.s3.us-east-1.amazonaws.com/sites/my-site/index.html",
                    remotion_function_name=REMOTION_FUNCTION_NAME,
                ),
                compositions=["HelloWorld"],
                remotion_package_dir=str(tmp_path),
            ),
        )
    message = str(raised.value)
    assert f'@remotion/lambda was not found from "{tmp_path}"' in message
    assert "under Remotion's licence" in message
    assert re.search(r'"npm i @remotion/lambda@4\.0\.\d+" \(supported: >=4\.0\.\d+ <5\.0\.0\)', message)


def test_function_name_of_another_remotion_version_is_a_clear_synth_error(tmp_path):
    app = App(outdir=str(tmp_path / "cdk.out"))
    stack = Stack(app, "OtherVersion", env=Environment(account=ACCOUNT, region=REGION))
    with pytest.raises(Exception) as raised:
        AuthenticatedRenderApi(
            stack,
            "Render",
            render=RemotionRenderFunctionProps(
                site=RemotionSite.from_site_attributes(
                    stack,
                    "Site",
                    serve_url="https://remotionlambda-useast1-abcdef.s3.us-east-1.amazonaws.com/sites/my-site/index.html",
                    remotion_function_name="remotion-render-4-0-400-mem2048mb-disk2048mb-120sec",
                ),
                compositions=["HelloWorld"],
            ),
        )
    assert re.search(
        r'site\.remotionFunctionName "remotion-render-4-0-400-mem2048mb-disk2048mb-120sec" is a Remotion 4\.0\.400 render function, '
        r"but the installed @remotion/lambda-client is 4\.0\.\d+",
        str(raised.value),
    )


def test_policy_attaches_to_imported_and_created_roles_both_ways():
    """Issue 14: attach_to_role and add_managed_policy with an imported role recursed until the stack overflowed."""
    from aws_cdk import App, Environment
    from aws_cdk import aws_iam as iam
    from org_remotion_constructs import RemotionRenderPolicy

    stack = Stack(App(), "AttachStack", env=Environment(account=ACCOUNT, region=REGION))
    by_method = RemotionRenderPolicy(stack, "ByMethod")
    by_role = RemotionRenderPolicy(stack, "ByRole")
    imported = iam.Role.from_role_arn(stack, "Imported", f"arn:aws:iam::{ACCOUNT}:role/existing-lambda-role")
    created = iam.Role(stack, "Created", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))

    by_method.attach_to_role(imported)
    by_method.attach_to_role(created)
    imported.add_managed_policy(by_role)
    created.add_managed_policy(by_role)

    template = Template.from_stack(stack)
    created_id = stack.get_logical_id(created.node.default_child)
    assert resource_of(stack, template, by_method)["Properties"]["Roles"] == ["existing-lambda-role", {"Ref": created_id}]
    assert resource_of(stack, template, by_role)["Properties"]["Roles"] == ["existing-lambda-role"]
    assert resource_of(stack, template, created)["Properties"]["ManagedPolicyArns"] == [
        {"Ref": stack.get_logical_id(by_role.node.default_child)},
    ]


def test_monitoring_pages_through_its_own_encrypted_topic_with_twelve_alarms(synthesized):
    stack, template = synthesized
    monitoring = stack.monitoring
    template.resource_count_is("AWS::CloudWatch::Alarm", 12)
    assert len(monitoring.alarms) == 12
    topic_id = stack.get_logical_id(monitoring.alarm_topic.node.default_child)
    for alarm in template.find_resources("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
    template.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})
    template.resource_count_is("AWS::CloudWatch::Dashboard", 1)


def test_monitoring_alarms_on_the_dead_letter_queue_and_a_saturated_budget(synthesized):
    stack, template = synthesized
    dlq_id = stack.get_logical_id(stack.api.dead_letter_queue.node.default_child)
    template.has_resource_properties("AWS::CloudWatch::Alarm", {
        "Namespace": "AWS/SQS",
        "MetricName": "ApproximateNumberOfMessagesVisible",
        "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}],
        "Statistic": "Maximum",
        "Threshold": 1,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching",
    })
    template.has_resource_properties("AWS::CloudWatch::Alarm", {
        "Metrics": Match.array_with([Match.object_like({"Expression": "100 * inUse / size"})]),
        "Threshold": 90,
        "EvaluationPeriods": 3,
        "DatapointsToAlarm": 3,
        "TreatMissingData": "ignore",
    })
