package main

// What the README's Go app (render.go) synthesizes.

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/org/remotion-constructs-go/remotionconstructs"
)

var functionArn = "arn:aws:lambda:" + region + ":" + account + ":function:" + remotionFunctionName

func TestEveryRouteNeedsAJwtFromTheAuthorizerExceptTheSignedWebhook(t *testing.T) {
	_, template := synthesizedRenderStack(t)
	authorizers := resources(template, "AWS::ApiGatewayV2::Authorizer")
	if len(authorizers) != 1 {
		t.Fatalf("want one authorizer, found %d", len(authorizers))
	}
	authorizerId := sortedKeys(authorizers)[0]
	assertJSON(t, "authorizer type", properties(authorizers[authorizerId])["AuthorizerType"], "JWT")

	// Every route there is, so that a route added later is held to the same rule.
	routeKeys := map[string]bool{}
	for _, route := range resources(template, "AWS::ApiGatewayV2::Route") {
		props := properties(route)
		routeKey := props["RouteKey"].(string)
		routeKeys[routeKey] = true
		if routeKey == "POST /webhooks/remotion" {
			assertJSON(t, routeKey+" authorization", props["AuthorizationType"], "NONE")
			if _, ok := props["AuthorizerId"]; ok {
				t.Errorf("%s has an authorizer: %v", routeKey, props["AuthorizerId"])
			}
			continue
		}
		assertJSON(t, routeKey+" authorization", props["AuthorizationType"], "JWT")
		assertJSON(t, routeKey+" authorizer", props["AuthorizerId"], map[string]interface{}{"Ref": authorizerId})
	}
	for _, routeKey := range []string{"POST /renders", "GET /renders/{renderId}", "GET /renders", "DELETE /renders/{renderId}", "POST /webhooks/remotion"} {
		if !routeKeys[routeKey] {
			t.Errorf("no route %s among %v", routeKey, sortedKeys(routeKeys))
		}
	}
}

func TestTheJwtAuthorizerTrustsTheStacksOwnUserPoolAndClient(t *testing.T) {
	_, template := synthesizedRenderStack(t)
	pools := resources(template, "AWS::Cognito::UserPool")
	clients := resources(template, "AWS::Cognito::UserPoolClient")
	if len(pools) != 1 || len(clients) != 1 {
		t.Fatalf("want one user pool and one client, found %d and %d", len(pools), len(clients))
	}
	for poolId, pool := range pools {
		assertJSON(t, "self sign-up", properties(pool)["AdminCreateUserConfig"], map[string]interface{}{"AllowAdminCreateUserOnly": true})
		for clientId := range clients {
			template.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Authorizer"), map[string]interface{}{
				"AuthorizerType": "JWT",
				"JwtConfiguration": map[string]interface{}{
					"Audience": []interface{}{map[string]interface{}{"Ref": clientId}},
					"Issuer": map[string]interface{}{"Fn::Join": []interface{}{"", []interface{}{
						"https://cognito-idp." + region + ".amazonaws.com/", map[string]interface{}{"Ref": poolId},
					}}},
				},
			})
		}
	}
}

func TestRenderRecordsTableIsOnDemandWithPitrTtlAndTheListingIndex(t *testing.T) {
	stack, template := synthesizedRenderStack(t)
	tables := resources(template, "AWS::DynamoDB::Table")
	if len(tables) != 1 {
		t.Fatalf("want one records table, found %d", len(tables))
	}
	for _, table := range tables {
		assertJSON(t, "deletion policy", table["DeletionPolicy"], "Retain")
		props := properties(table)
		assertJSON(t, "billing mode", props["BillingMode"], "PAY_PER_REQUEST")
		assertJSON(t, "point-in-time recovery", props["PointInTimeRecoverySpecification"], map[string]interface{}{"PointInTimeRecoveryEnabled": true})
		assertJSON(t, "encryption", props["SSESpecification"], map[string]interface{}{"SSEEnabled": true})
		assertJSON(t, "TTL", props["TimeToLiveSpecification"], map[string]interface{}{"AttributeName": "expiresAt", "Enabled": true})
		var indexes []interface{}
		for _, index := range props["LocalSecondaryIndexes"].([]interface{}) {
			indexes = append(indexes, index.(map[string]interface{})["IndexName"])
		}
		assertJSON(t, "local secondary indexes", indexes, []string{"byCreatedAt"})
	}
	records := stack.Api.Records()
	assertJSON(t, "renders in progress per user", *records.MaxRendersInProgress(), 3)
	assertJSON(t, "idempotency", *records.Idempotency(), true)
}

func TestRenderQueueFeedsTheDispatcherAndAScheduleRunsTheSweeper(t *testing.T) {
	stack, template := synthesizedRenderStack(t)
	api := stack.Api
	if api.RenderQueue() == nil {
		t.Fatal("the API has no render queue")
	}
	assertJSON(t, "units per render", *api.RenderQueue().UnitsPerRender(), 21)
	queueId := logicalIdOf(stack.Stack, api.Queue().Node())
	dlqId := logicalIdOf(stack.Stack, api.DeadLetterQueue().Node())
	queue := properties(resources(template, "AWS::SQS::Queue")[queueId])
	deadLetters := properties(resources(template, "AWS::SQS::Queue")[dlqId])
	assertJSON(t, "queue encryption", queue["SqsManagedSseEnabled"], true)
	assertJSON(t, "queue redrive target", queue["RedrivePolicy"].(map[string]interface{})["deadLetterTargetArn"],
		map[string]interface{}{"Fn::GetAtt": []string{dlqId, "Arn"}})
	assertJSON(t, "dead-letter queue encryption", deadLetters["SqsManagedSseEnabled"], true)
	assertJSON(t, "dead-letter retention", deadLetters["MessageRetentionPeriod"], 14*24*3600)

	dispatcherId := logicalIdOf(stack.Stack, api.Dispatcher().Node())
	sweeperId := logicalIdOf(stack.Stack, api.Sweeper().Node())
	functions := resources(template, "AWS::Lambda::Function")
	assertJSON(t, "dispatcher handler", properties(functions[dispatcherId])["Handler"], "dispatcher.handler")
	assertJSON(t, "sweeper handler", properties(functions[sweeperId])["Handler"], "sweeper.handler")
	template.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]interface{}{
		"EventSourceArn":        map[string]interface{}{"Fn::GetAtt": []interface{}{queueId, "Arn"}},
		"FunctionName":          map[string]interface{}{"Ref": dispatcherId},
		"FunctionResponseTypes": []interface{}{"ReportBatchItemFailures"},
		"ScalingConfig":         map[string]interface{}{"MaximumConcurrency": 5},
	})
	template.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]interface{}{
		"ScheduleExpression": "rate(2 minutes)",
		"Targets": assertions.Match_ArrayWith(&[]interface{}{assertions.Match_ObjectLike(&map[string]interface{}{
			"Arn": map[string]interface{}{"Fn::GetAtt": []interface{}{sweeperId, "Arn"}},
		})}),
	})
}

func TestMonitoringPagesThroughItsOwnEncryptedTopicWithTwelveAlarms(t *testing.T) {
	stack, template := synthesizedRenderStack(t)
	template.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(12))
	assertJSON(t, "alarms", len(*stack.Monitoring.Alarms()), 12)
	topicId := logicalIdOf(stack.Stack, stack.Monitoring.AlarmTopic().Node())
	for id, alarm := range resources(template, "AWS::CloudWatch::Alarm") {
		assertJSON(t, id+" actions", properties(alarm)["AlarmActions"], []interface{}{map[string]interface{}{"Ref": topicId}})
	}
	template.HasResourceProperties(jsii.String("AWS::SNS::Topic"), map[string]interface{}{"KmsMasterKeyId": assertions.Match_AnyValue()})
	template.ResourceCountIs(jsii.String("AWS::CloudWatch::Dashboard"), jsii.Number(1))
}

func TestMonitoringAlarmsOnTheDeadLetterQueueAndASaturatedBudget(t *testing.T) {
	stack, template := synthesizedRenderStack(t)
	dlqId := logicalIdOf(stack.Stack, stack.Api.DeadLetterQueue().Node())
	template.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]interface{}{
		"Namespace":          "AWS/SQS",
		"MetricName":         "ApproximateNumberOfMessagesVisible",
		"Dimensions":         []interface{}{map[string]interface{}{"Name": "QueueName", "Value": map[string]interface{}{"Fn::GetAtt": []interface{}{dlqId, "QueueName"}}}},
		"Statistic":          "Maximum",
		"Threshold":          1,
		"ComparisonOperator": "GreaterThanOrEqualToThreshold",
		"TreatMissingData":   "notBreaching",
	})
	template.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]interface{}{
		"Metrics":           assertions.Match_ArrayWith(&[]interface{}{assertions.Match_ObjectLike(&map[string]interface{}{"Expression": "100 * inUse / size"})}),
		"Threshold":         90,
		"EvaluationPeriods": 3,
		"DatapointsToAlarm": 3,
		"TreatMissingData":  "ignore",
	})
}

// logicalIdOf is the logical id of a construct's CloudFormation resource (its default child).
func logicalIdOf(stack awscdk.Stack, node constructs.Node) string {
	return *stack.GetLogicalId(node.DefaultChild().(awscdk.CfnElement))
}

func TestEc2RoleIsTrustedByEc2OnlyAndHasAnInstanceProfile(t *testing.T) {
	stack, template := synthesizedRenderStack(t)
	roleName := stack.RenderRole.Node().Id()
	roles := resources(template, "AWS::IAM::Role")
	var ec2RoleId string
	for id, role := range roles {
		statement := properties(role)["AssumeRolePolicyDocument"].(map[string]interface{})["Statement"]
		if equalJSON(statement, []interface{}{map[string]interface{}{
			"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]interface{}{"Service": "ec2.amazonaws.com"},
		}}) {
			ec2RoleId = id
		}
	}
	if ec2RoleId == "" || !regexp.MustCompile("^"+*roleName).MatchString(ec2RoleId) {
		t.Fatalf("no role of %s is trusted by ec2.amazonaws.com alone (roles: %v)", *roleName, sortedKeys(roles))
	}
	template.ResourcePropertiesCountIs(jsii.String("AWS::IAM::InstanceProfile"), map[string]interface{}{
		"Roles": []interface{}{map[string]interface{}{"Ref": ec2RoleId}},
	}, jsii.Number(1))
	if *stack.RenderRole.AssumedByLambda() {
		t.Error("the EC2 role says it is assumed by Lambda")
	}
}

type statement struct {
	Sid, Effect string
	Action      interface{}
	Resource    interface{}
}

// managedPolicyStatements are the statements of the managed policy named by a role's ManagedPolicyArns.
func managedPolicyStatements(t *testing.T, template assertions.Template, roleId string) []statement {
	t.Helper()
	role := resources(template, "AWS::IAM::Role")[roleId]
	arns := properties(role)["ManagedPolicyArns"].([]interface{})
	if len(arns) != 1 {
		t.Fatalf("role %s: want one managed policy, found %v", roleId, arns)
	}
	policyId := arns[0].(map[string]interface{})["Ref"].(string)
	document := properties(resources(template, "AWS::IAM::ManagedPolicy")[policyId])["PolicyDocument"]
	var parsed struct{ Statement []statement }
	encoded, _ := json.Marshal(document)
	if err := json.Unmarshal(encoded, &parsed); err != nil {
		t.Fatal(err)
	}
	return parsed.Statement
}

func roleIdTrustedBy(t *testing.T, template assertions.Template, service string) string {
	t.Helper()
	for id, role := range resources(template, "AWS::IAM::Role") {
		statements := properties(role)["AssumeRolePolicyDocument"].(map[string]interface{})["Statement"].([]interface{})
		if equalJSON(statements[0].(map[string]interface{})["Principal"], map[string]interface{}{"Service": service}) {
			return id
		}
	}
	t.Fatalf("no role is trusted by %s", service)
	return ""
}

func TestEc2RoleManagedPolicyIsRenderOnlyWithDefaultBuckets(t *testing.T) {
	_, template := synthesizedRenderStack(t)
	assertJSON(t, "EC2 role statements", managedPolicyStatements(t, template, roleIdTrustedBy(t, template, "ec2.amazonaws.com")), []statement{
		{"RemotionInvokeRenderFunction", "Allow", "lambda:InvokeFunction", functionArn},
		{"RemotionReadWriteRenderObjects", "Allow", []string{"s3:GetObject", "s3:PutObject"}, "arn:aws:s3:::remotionlambda-*/*"},
		{"RemotionListRenderBucket", "Allow", []string{"s3:ListBucket", "s3:GetBucketLocation"}, "arn:aws:s3:::remotionlambda-*"},
		{"RemotionFindRenderBucket", "Allow", "s3:ListAllMyBuckets", "*"},
	})
}

func TestApiHandlerRoleIsScopedToTheFunctionAndItsRegionsBucket(t *testing.T) {
	stack, template := synthesizedRenderStack(t)
	// The handler's own role: the dispatcher's and the sweeper's are trusted by Lambda too.
	handlerRoleId := logicalIdOf(stack.Stack, stack.Api.RenderFunction().Role().Node())
	assertJSON(t, "API handler role statements", managedPolicyStatements(t, template, handlerRoleId), []statement{
		{"RemotionInvokeRenderFunction", "Allow", "lambda:InvokeFunction", functionArn},
		{"RemotionReadRenderObjects", "Allow", "s3:GetObject", "arn:aws:s3:::remotionlambda-useast1-*/renders/*/renders-by-user/*"},
	})
	// No bucket known at synth: the caller names it, so status reads invoke Remotion's function.
	if *stack.Api.RenderFunction().ProgressFromBucket() {
		t.Error("status reads come from a bucket that nobody named at synth")
	}
	// The EC2 role's, the API handler's and the render queue dispatcher's (the handler's recipe).
	template.ResourceCountIs(jsii.String("AWS::IAM::ManagedPolicy"), jsii.Number(3))
}

func TestRenderFunctionRunsTheBundledHandlerOnNode24(t *testing.T) {
	stack, template := synthesizedRenderStack(t)
	template.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]interface{}{
		"Runtime": "nodejs24.x",
		"Handler": "index.handler",
		"Environment": map[string]interface{}{"Variables": assertions.Match_ObjectLike(&map[string]interface{}{
			"REMOTION_FUNCTION_NAME": remotionFunctionName,
			"REMOTION_SERVE_URL":     serveUrl,
		})},
	})
	assertJSON(t, "remotion function name", *stack.Api.RenderFunction().RemotionFunctionName(), remotionFunctionName)
}

func TestOutputsAndNoWarnings(t *testing.T) {
	stack, template := synthesizedRenderStack(t)
	assertJSON(t, "outputs", sortedKeys(*template.FindOutputs(jsii.String("*"), nil)),
		[]string{"RenderApiUrl", "RenderRegion", "RenderUserPoolClientId", "RenderUserPoolId"})
	template.HasOutput(jsii.String("RenderRegion"), map[string]interface{}{"Value": region})
	assertions.Annotations_FromStack(stack.Stack).HasNoWarning(jsii.String("*"), assertions.Match_AnyValue())
	assertions.Annotations_FromStack(stack.Stack).HasNoError(jsii.String("*"), assertions.Match_AnyValue())
}

func TestUsesTheRemotionInstalledInTheAppFolder(t *testing.T) {
	stack, _ := synthesizedRenderStack(t)
	data, err := os.ReadFile(filepath.Join("node_modules", "@remotion", "lambda", "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var installed struct{ Version string }
	if err := json.Unmarshal(data, &installed); err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "Remotion version", *stack.Api.RenderFunction().RemotionVersion(), installed.Version)
}

func TestMissingRemotionInstallIsAClearSynthError(t *testing.T) {
	empty := t.TempDir()
	stack := awscdk.NewStack(newApp(t), jsii.String("NoRemotion"), environment())
	message := synthError(t, func() {
		remotionconstructs.NewAuthenticatedRenderApi(stack, jsii.String("Render"), &remotionconstructs.AuthenticatedRenderApiProps{
			Render: &remotionconstructs.RemotionRenderFunctionProps{
				Site: remotionconstructs.RemotionSite_FromSiteAttributes(stack, jsii.String("Site"), &remotionconstructs.RemotionSiteAttributes{
					ServeUrl:             jsii.String(serveUrl),
					RemotionFunctionName: jsii.String(remotionFunctionName),
				}),
				Compositions:       jsii.Strings("HelloWorld"),
				RemotionPackageDir: jsii.String(empty),
			},
		})
	})
	for _, want := range []string{`@remotion/lambda was not found from "` + empty + `"`, "under Remotion's licence"} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(message) {
			t.Errorf("the error does not say %q:\n%s", want, message)
		}
	}
	if !regexp.MustCompile(`"npm i @remotion/lambda@4\.0\.\d+" \(supported: >=4\.0\.\d+ <5\.0\.0\)`).MatchString(message) {
		t.Errorf("the error does not name the npm command and the supported range:\n%s", message)
	}
}

// The app as `cdk synth` runs it: `go run .` with CDK_OUTDIR set (here the test binary, which
// TestMain turns into the app).
func TestTheAppSynthesizesTheStackIntoCdkOutdir(t *testing.T) {
	outdir := filepath.Join(t.TempDir(), "cdk.out")
	run := exec.Command(os.Args[0])
	run.Env = append(os.Environ(), runMainEnv+"=1", "CDK_OUTDIR="+outdir)
	if output, err := run.CombinedOutput(); err != nil {
		t.Fatalf("the app failed: %v\n%s", err, output)
	}
	data, err := os.ReadFile(filepath.Join(outdir, "RemotionRenderStack.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	var template struct {
		Resources map[string]struct{ Type string }
	}
	if err := json.Unmarshal(data, &template); err != nil {
		t.Fatal(err)
	}
	functions := 0
	for _, resource := range template.Resources {
		if resource.Type == "AWS::Lambda::Function" {
			functions++
		}
	}
	if functions == 0 {
		t.Errorf("RemotionRenderStack.template.json has no function (%d resources)", len(template.Resources))
	}
}
