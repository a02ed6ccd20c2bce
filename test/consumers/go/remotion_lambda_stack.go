package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/org/remotion-constructs-go/remotionconstructs"
)

// RemotionLambdaStack is Remotion's own render function, bucket and site, and the render API in front of them.
type RemotionLambdaStack struct {
	awscdk.Stack
	Remotion remotionconstructs.RemotionLambda
	Site     remotionconstructs.RemotionSite
	Api      remotionconstructs.AuthenticatedRenderApi
}

// NewRemotionLambdaStack reads @remotion/lambda from remotionDir/node_modules (the app's own
// `npm i @remotion/lambda`) and uploads bundleDir, the output folder of `npx remotion bundle`.
func NewRemotionLambdaStack(scope constructs.Construct, id string, props *awscdk.StackProps, remotionDir, bundleDir string) *RemotionLambdaStack {
	stack := awscdk.NewStack(scope, &id, props)
	remotion := remotionconstructs.NewRemotionLambda(stack, jsii.String("Remotion"), &remotionconstructs.RemotionLambdaProps{
		RemotionPackageDir: jsii.String(remotionDir),
	})
	site := remotion.AddSite(jsii.String("my-video"), &remotionconstructs.RemotionSiteOptions{
		BundleDir: jsii.String(bundleDir),
	})
	api := remotionconstructs.NewAuthenticatedRenderApi(stack, jsii.String("Render"), &remotionconstructs.AuthenticatedRenderApiProps{
		Render: &remotionconstructs.RemotionRenderFunctionProps{
			Site:         site,
			Compositions: jsii.Strings("HelloWorld"),
		},
	})
	return &RemotionLambdaStack{Stack: stack, Remotion: remotion, Site: site, Api: api}
}
