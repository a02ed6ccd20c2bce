package com.example.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.remotion.constructs.AuthenticatedRenderApi;
import org.remotion.constructs.RemotionOnRenderFinishedOptions;
import org.remotion.constructs.RemotionRenderFinishedStatus;
import org.remotion.constructs.RemotionRenderFunctionProps;
import org.remotion.constructs.RemotionRenderQueue;
import org.remotion.constructs.RemotionRenderRecords;
import org.remotion.constructs.RemotionRenderRole;
import org.remotion.constructs.RemotionSite;
import org.remotion.constructs.RemotionSiteAttributes;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.SqsQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.cxapi.CloudFormationStackArtifact;
import software.constructs.IConstruct;

/** Asserts, with software.amazon.awscdk.assertions, what the Java consumer app synthesizes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RenderStackTest {
    private static final String FUNCTION_ARN = "arn:aws:lambda:" + RenderApp.REGION + ":" + RenderApp.ACCOUNT
        + ":function:" + RenderStack.REMOTION_FUNCTION_NAME;

    private RenderStack stack;
    private Template template;

    @BeforeAll
    void synthesize(@TempDir final Path outdir) {
        App app = RenderApp.newApp(outdir.toString());
        stack = RenderApp.newStack(app);
        CloudAssembly assembly = app.synth();
        assertEquals(List.of("RemotionRenderStack"),
            assembly.getStacks().stream().map(CloudFormationStackArtifact::getStackName).collect(Collectors.toList()));
        template = Template.fromStack(stack);
    }

    private String logicalId(final IConstruct construct) {
        return stack.getLogicalId((CfnElement) construct.getNode().getDefaultChild());
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> resourceOf(final IConstruct construct) {
        Map<String, Object> resources = (Map<String, Object>) template.toJSON().get("Resources");
        return (Map<String, Object>) resources.get(logicalId(construct));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(final Map<String, Object> resource) {
        return (Map<String, Object>) resource.get("Properties");
    }

    /** Sid, Effect, Action and Resource of each statement of a managed policy, as the template has them. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> statements(final IConstruct policy) {
        Map<String, Object> document = (Map<String, Object>) properties(resourceOf(policy)).get("PolicyDocument");
        return ((List<Map<String, Object>>) document.get("Statement")).stream()
            .map(s -> Map.of("Sid", s.get("Sid"), "Effect", s.get("Effect"), "Action", s.get("Action"), "Resource", s.get("Resource")))
            .collect(Collectors.toList());
    }

    private static Map<String, Object> statement(final String sid, final Object action, final Object resource) {
        return Map.of("Sid", sid, "Effect", "Allow", "Action", action, "Resource", resource);
    }

    @Test
    void runsOnTheAwsCdkLibFloorThatThePomNames() {
        String jar = App.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        String expected = System.getProperty("expected.aws-cdk-lib.version");
        assertEquals("aws-cdk-lib-" + expected + ".jar", Path.of(jar).getFileName().toString());
    }

    @Test
    void everyRouteNeedsAJwtFromTheAuthorizerExceptTheSignedWebhook() {
        Map<String, Map<String, Object>> routes = template.findResources("AWS::ApiGatewayV2::Route");
        assertEquals(new TreeSet<>(List.of("DELETE /renders/{renderId}", "GET /renders", "GET /renders/{renderId}", "POST /renders",
            "POST /webhooks/remotion")),
            routes.values().stream().map(r -> (String) properties(r).get("RouteKey")).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(5, routes.size());
        Map<String, Object> webhook = routes.values().stream().map(r -> properties(r))
            .filter(p -> "POST /webhooks/remotion".equals(p.get("RouteKey"))).findFirst().orElseThrow();
        assertEquals("NONE", webhook.get("AuthorizationType"));
        assertFalse(webhook.containsKey("AuthorizerId"));

        Map<String, Map<String, Object>> authorizers = template.findResources("AWS::ApiGatewayV2::Authorizer");
        assertEquals(1, authorizers.size());
        String authorizerId = authorizers.keySet().iterator().next();
        assertEquals("JWT", properties(authorizers.get(authorizerId)).get("AuthorizerType"));
        for (String routeKey : List.of("POST /renders", "GET /renders/{renderId}", "GET /renders", "DELETE /renders/{renderId}")) {
            template.hasResourceProperties("AWS::ApiGatewayV2::Route", Map.of(
                "RouteKey", routeKey,
                "AuthorizationType", "JWT",
                "AuthorizerId", Map.of("Ref", authorizerId)));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void renderQueueFeedsTheDispatcherAndAScheduleRunsTheSweeper() {
        AuthenticatedRenderApi api = stack.getApi();
        RemotionRenderQueue renderQueue = api.getRenderQueue();
        assertEquals(21, renderQueue.getUnitsPerRender().intValue());
        Map<String, Object> queue = properties(resourceOf(api.getQueue()));
        Map<String, Object> deadLetters = properties(resourceOf(api.getDeadLetterQueue()));
        assertEquals(true, queue.get("SqsManagedSseEnabled"));
        assertEquals(Map.of("Fn::GetAtt", List.of(logicalId(api.getDeadLetterQueue()), "Arn")),
            ((Map<String, Object>) queue.get("RedrivePolicy")).get("deadLetterTargetArn"));
        assertEquals(true, deadLetters.get("SqsManagedSseEnabled"));
        assertEquals(14 * 24 * 3600, ((Number) deadLetters.get("MessageRetentionPeriod")).intValue());

        assertEquals("dispatcher.handler", properties(resourceOf(api.getDispatcher())).get("Handler"));
        assertEquals("sweeper.handler", properties(resourceOf(api.getSweeper())).get("Handler"));
        template.hasResourceProperties("AWS::Lambda::EventSourceMapping", Map.of(
            "EventSourceArn", Map.of("Fn::GetAtt", List.of(logicalId(api.getQueue()), "Arn")),
            "FunctionName", Map.of("Ref", logicalId(api.getDispatcher())),
            "FunctionResponseTypes", List.of("ReportBatchItemFailures"),
            "ScalingConfig", Map.of("MaximumConcurrency", 5)));
        template.hasResourceProperties("AWS::Events::Rule", Map.of(
            "ScheduleExpression", "rate(2 minutes)",
            "Targets", List.of(Match.objectLike(Map.of("Arn", Map.of("Fn::GetAtt", List.of(logicalId(api.getSweeper()), "Arn")))))));
    }

    @Test
    @SuppressWarnings("unchecked")
    void onRenderFinishedRuleSendsFailedAndTimedOutRendersToAQueue(@TempDir final Path outdir) {
        App app = RenderApp.newApp(outdir.toString());
        Stack other = new Stack(app, "EventsStack");
        AuthenticatedRenderApi api = AuthenticatedRenderApi.Builder.create(other, "Render")
            .render(RemotionRenderFunctionProps.builder()
                .site(RemotionSite.fromSiteAttributes(other, "Site", RemotionSiteAttributes.builder()
                    .serveUrl(RenderStack.SERVE_URL)
                    .remotionFunctionName(RenderStack.REMOTION_FUNCTION_NAME)
                    .build()))
                .compositions(List.of("HelloWorld"))
                .build())
            .build();
        Queue queue = Queue.Builder.create(other, "FailedRenders").enforceSsl(true).build();
        Rule rule = api.onRenderFinished("RenderFailed", RemotionOnRenderFinishedOptions.builder()
            .statuses(List.of(RemotionRenderFinishedStatus.FAILED, RemotionRenderFinishedStatus.TIMED_OUT))
            .target(new SqsQueue(queue))
            .build());
        Map<String, Object> resources = (Map<String, Object>) Template.fromStack(other).toJSON().get("Resources");
        Map<String, Object> props = properties((Map<String, Object>) resources.get(other.getLogicalId((CfnElement) rule.getNode().getDefaultChild())));
        assertEquals("default", props.get("EventBusName"));
        String tableId = other.getLogicalId((CfnElement) api.getRecords().getTable().getNode().getDefaultChild());
        assertEquals(Map.of("source", List.of("remotion-constructs"),
            "detail-type", List.of("Remotion Render Failed", "Remotion Render Timed Out"),
            "resources", List.of(Map.of("Fn::GetAtt", List.of(tableId, "Arn")))), props.get("EventPattern"));
        List<Map<String, Object>> targets = (List<Map<String, Object>>) props.get("Targets");
        String queueId = other.getLogicalId((CfnElement) queue.getNode().getDefaultChild());
        assertEquals(Map.of("Fn::GetAtt", List.of(queueId, "Arn")), targets.get(0).get("Arn"));
        assertTrue(api.getRecords().getCompletionSecret() != null);
        assertTrue(api.getCompletionWebhookRoute() != null);
    }

    @Test
    void renderRecordsTableIsOnDemandWithPitrTtlAndTheListingIndex() {
        RemotionRenderRecords records = stack.getApi().getRecords();
        Map<String, Object> table = resourceOf(records.getTable());
        assertEquals("Retain", table.get("DeletionPolicy"));
        Map<String, Object> props = properties(table);
        assertEquals("PAY_PER_REQUEST", props.get("BillingMode"));
        assertEquals(Map.of("PointInTimeRecoveryEnabled", true), props.get("PointInTimeRecoverySpecification"));
        assertEquals(Map.of("SSEEnabled", true), props.get("SSESpecification"));
        assertEquals(Map.of("AttributeName", "expiresAt", "Enabled", true), props.get("TimeToLiveSpecification"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> indexes = (List<Map<String, Object>>) props.get("LocalSecondaryIndexes");
        assertEquals(List.of("byCreatedAt"), indexes.stream().map(i -> i.get("IndexName")).collect(Collectors.toList()));
        assertEquals(3, records.getMaxRendersInProgress().intValue());
        assertEquals(true, records.getIdempotency());
    }

    @Test
    void ec2RoleIsTrustedByEc2OnlyAndHasAnInstanceProfile() {
        RemotionRenderRole role = stack.getRenderRole();
        @SuppressWarnings("unchecked")
        Map<String, Object> trust = (Map<String, Object>) properties(resourceOf(role)).get("AssumeRolePolicyDocument");
        assertEquals(List.of(Map.of(
            "Action", "sts:AssumeRole",
            "Effect", "Allow",
            "Principal", Map.of("Service", "ec2.amazonaws.com"))), trust.get("Statement"));
        template.resourcePropertiesCountIs("AWS::IAM::InstanceProfile",
            Map.of("Roles", List.of(Map.of("Ref", logicalId(role)))), 1);
        assertFalse(role.getAssumedByLambda());
    }

    @Test
    void ec2RoleManagedPolicyIsRenderOnlyWithDefaultBuckets() {
        RemotionRenderRole role = stack.getRenderRole();
        assertEquals(List.of(
            statement("RemotionInvokeRenderFunction", "lambda:InvokeFunction", FUNCTION_ARN),
            statement("RemotionReadWriteRenderObjects", List.of("s3:GetObject", "s3:PutObject"), "arn:aws:s3:::remotionlambda-*/*"),
            statement("RemotionListRenderBucket", List.of("s3:ListBucket", "s3:GetBucketLocation"), "arn:aws:s3:::remotionlambda-*"),
            statement("RemotionFindRenderBucket", "s3:ListAllMyBuckets", "*")), statements(role.getPolicy()));
        assertEquals(List.of(Map.of("Ref", logicalId(role.getPolicy()))), properties(resourceOf(role)).get("ManagedPolicyArns"));
    }

    @Test
    void apiHandlerRoleIsScopedToTheFunctionAndItsRegionsBucket() {
        RemotionRenderRole handlerRole = (RemotionRenderRole) stack.getApi().getRenderFunction().getRole();
        assertEquals(List.of(
            statement("RemotionInvokeRenderFunction", "lambda:InvokeFunction", FUNCTION_ARN),
            statement("RemotionReadRenderObjects", "s3:GetObject", "arn:aws:s3:::remotionlambda-useast1-*/renders/*/renders-by-user/*")),
            statements(handlerRole.getPolicy()));
        // No bucket known at synth: the caller names it, so status reads invoke Remotion's function.
        assertFalse(stack.getApi().getRenderFunction().getProgressFromBucket());
        // The EC2 role's, the API handler's and the render queue dispatcher's (the handler's recipe).
        template.resourceCountIs("AWS::IAM::ManagedPolicy", 3);
        template.hasResourceProperties("AWS::IAM::Role", Map.of("AssumeRolePolicyDocument", Map.of(
            "Statement", List.of(Match.objectLike(Map.of("Principal", Map.of("Service", "lambda.amazonaws.com")))))));
    }

    @Test
    void outputsAndNoWarnings() {
        assertEquals(new TreeSet<>(List.of("RenderApiUrl", "RenderRegion", "RenderUserPoolClientId", "RenderUserPoolId")),
            new TreeSet<>(template.findOutputs("*").keySet()));
        template.hasOutput("RenderRegion", Map.of("Value", RenderApp.REGION));
        Annotations.fromStack(stack).hasNoWarning("*", Match.anyValue());
        Annotations.fromStack(stack).hasNoError("*", Match.anyValue());
    }

    @Test
    void missingRemotionInstallIsAClearSynthError(@TempDir final Path empty) {
        App app = RenderApp.newApp(empty.resolve("cdk.out").toString());
        Stack other = new Stack(app, "NoRemotion");
        RuntimeException error = assertThrows(RuntimeException.class, () -> AuthenticatedRenderApi.Builder.create(other, "Render")
            .render(RemotionRenderFunctionProps.builder()
                .site(RemotionSite.fromSiteAttributes(other, "Site", RemotionSiteAttributes.builder()
                    .serveUrl("https://remotionlambda-useast1-abcdef.s3.us-east-1.amazonaws.com/sites/my-site/index.html")
                    .remotionFunctionName(RenderStack.REMOTION_FUNCTION_NAME)
                    .build()))
                .compositions(List.of("HelloWorld"))
                .remotionPackageDir(empty.toString())
                .build())
            .build());
        assertTrue(error.getMessage().contains("@remotion/lambda was not found from \"" + empty + "\""), error.getMessage());
        assertTrue(error.getMessage().matches("(?s).*\"npm i @remotion/lambda@4\\.0\\.\\d+\" \\(supported: >=4\\.0\\.\\d+ <5\\.0\\.0\\).*"),
            error.getMessage());
    }

    @Test
    void functionNameOfAnotherRemotionVersionIsAClearSynthError(@TempDir final Path outdir) {
        App app = RenderApp.newApp(outdir.toString());
        Stack other = new Stack(app, "OtherVersion");
        RuntimeException error = assertThrows(RuntimeException.class, () -> AuthenticatedRenderApi.Builder.create(other, "Render")
            .render(RemotionRenderFunctionProps.builder()
                .site(RemotionSite.fromSiteAttributes(other, "Site", RemotionSiteAttributes.builder()
                    .serveUrl("https://remotionlambda-useast1-abcdef.s3.us-east-1.amazonaws.com/sites/my-site/index.html")
                    .remotionFunctionName("remotion-render-4-0-400-mem2048mb-disk2048mb-120sec")
                    .build()))
                .compositions(List.of("HelloWorld"))
                .build())
            .build());
        assertTrue(error.getMessage().matches("(?s).*remotionFunctionName \"remotion-render-4-0-400-mem2048mb-disk2048mb-120sec\" is a Remotion "
            + "4\\.0\\.400 render function, but the installed @remotion/lambda-client is 4\\.0\\.\\d+.*"), error.getMessage());
    }

    @Test
    void monitoringPagesThroughItsOwnEncryptedTopicWithTwelveAlarms() {
        template.resourceCountIs("AWS::CloudWatch::Alarm", 12);
        assertEquals(12, stack.getMonitoring().getAlarms().size());
        String topicId = logicalId(stack.getMonitoring().getAlarmTopic());
        for (Map<String, Object> alarm : template.findResources("AWS::CloudWatch::Alarm").values()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> properties = (Map<String, Object>) alarm.get("Properties");
            assertEquals(List.of(Map.of("Ref", topicId)), properties.get("AlarmActions"));
        }
        template.hasResourceProperties("AWS::SNS::Topic", Map.of("KmsMasterKeyId", Match.anyValue()));
        template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    }

    @Test
    void monitoringAlarmsOnTheDeadLetterQueueAndASaturatedBudget() {
        String dlqId = logicalId(stack.getApi().getDeadLetterQueue());
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
            "Namespace", "AWS/SQS",
            "MetricName", "ApproximateNumberOfMessagesVisible",
            "Dimensions", List.of(Map.of("Name", "QueueName", "Value", Map.of("Fn::GetAtt", List.of(dlqId, "QueueName")))),
            "Statistic", "Maximum",
            "Threshold", 1,
            "ComparisonOperator", "GreaterThanOrEqualToThreshold",
            "TreatMissingData", "notBreaching"));
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
            "Metrics", Match.arrayWith(List.of(Match.objectLike(Map.of("Expression", "100 * inUse / size")))),
            "Threshold", 90,
            "EvaluationPeriods", 3,
            "DatapointsToAlarm", 3,
            "TreatMissingData", "ignore"));
    }
}
