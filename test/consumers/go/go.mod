// A CDK app in Go that uses @org/remotion-constructs through its jsii Go module, built by
// `npx projen package:go` into dist/go (scripts/consumers-go.sh runs `go test` here).
module remotion-render-app

go 1.25.0

require (
	// The first aws-cdk-go that compiles with constructs-go v10.5 (the library's floor): older ones
	// declare With() twice on every L1 (ambiguous selector), see scripts/consumers-go.sh.
	github.com/aws/aws-cdk-go/awscdk/v2 v2.239.0
	github.com/aws/constructs-go/constructs/v10 v10.5.1
	github.com/aws/jsii-runtime-go v1.140.0
	github.com/org/remotion-constructs-go/remotionconstructs v0.0.0
)

require (
	github.com/Masterminds/semver/v3 v3.5.0 // indirect
	github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2 v2.2.263 // indirect
	github.com/cdklabs/awscdk-asset-node-proxy-agent-go/nodeproxyagentv6/v2 v2.1.3 // indirect
	github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v50 v50.4.0 // indirect
	github.com/fatih/color v1.19.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/yuin/goldmark v1.7.16 // indirect
	golang.org/x/lint v0.0.0-20241112194109-818c5a804067 // indirect
	golang.org/x/mod v0.39.0 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/telemetry v0.0.0-20260811182544-a038080d80e5 // indirect
	golang.org/x/tools v0.49.0 // indirect
	golang.org/x/tools/cmd/godoc v0.1.0-deprecated // indirect
	golang.org/x/tools/godoc v0.1.0-deprecated // indirect
)

// The module just built from this repository, not a published one.
replace github.com/org/remotion-constructs-go/remotionconstructs => ../../../dist/go/remotionconstructs
