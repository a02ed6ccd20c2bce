package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/org/remotion-constructs-go/remotionconstructs"
)

const (
	serveUrl             = "https://remotionlambda-useast1-abcdef.s3.us-east-1.amazonaws.com/sites/my-site/index.html"
	remotionFunctionName = "remotion-render-4-0-527-mem2048mb-disk2048mb-120sec"
)

// RenderStack is an authenticated render API, and a role for EC2 instances that render with Remotion.
type RenderStack struct {
	awscdk.Stack
	Api        remotionconstructs.AuthenticatedRenderApi
	Monitoring remotionconstructs.RemotionRenderMonitoring
	RenderRole remotionconstructs.RemotionRenderRole
}

func NewRenderStack(scope constructs.Construct, id string, props *awscdk.StackProps) *RenderStack {
	stack := awscdk.NewStack(scope, &id, props)

	// A site and render function deployed with the Remotion CLI.
	site := remotionconstructs.RemotionSite_FromSiteAttributes(stack, jsii.String("Site"), &remotionconstructs.RemotionSiteAttributes{
		ServeUrl:             jsii.String(serveUrl),
		RemotionFunctionName: jsii.String(remotionFunctionName),
	})

	// POST /renders and GET /renders/{renderId}, behind a Cognito user pool.
	api := remotionconstructs.NewAuthenticatedRenderApi(stack, jsii.String("Render"), &remotionconstructs.AuthenticatedRenderApiProps{
		Render: &remotionconstructs.RemotionRenderFunctionProps{
			Site:         site,
			Compositions: jsii.Strings("HelloWorld"),
		},
	})

	// A dashboard, and the recommended alarms, notifying a topic it creates.
	monitoring := remotionconstructs.NewRemotionRenderMonitoring(stack, jsii.String("Monitoring"), &remotionconstructs.RemotionRenderMonitoringProps{
		Api: api,
	})

	// A role (not an IAM user with keys) for EC2 instances that call Remotion themselves.
	renderRole := remotionconstructs.NewRemotionRenderRole(stack, jsii.String("Ec2RenderRole"), &remotionconstructs.RemotionRenderRoleProps{
		AssumedBy:             awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
		RemotionFunctionNames: jsii.Strings(remotionFunctionName),
	})
	awsiam.NewInstanceProfile(stack, jsii.String("Ec2RenderProfile"), &awsiam.InstanceProfileProps{
		Role: renderRole,
	})

	return &RenderStack{Stack: stack, Api: api, Monitoring: monitoring, RenderRole: renderRole}
}

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	NewRenderStack(app, "RemotionRenderStack", &awscdk.StackProps{
		Env: &awscdk.Environment{
			Account: jsii.String("111122223333"),
			Region:  jsii.String("us-east-1"),
		},
	})
	app.Synth(nil)
}
