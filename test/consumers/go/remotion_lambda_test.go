package main

// What RemotionLambda synthesizes from Go, with the zip of this folder's `npm i @remotion/lambda`.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

func synthesizedRemotionLambdaStack(t *testing.T) (*RemotionLambdaStack, assertions.Template, string) {
	t.Helper()
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	app := newApp(t)
	stack := NewRemotionLambdaStack(app, "RemotionLambdaStack", environment(), here,
		// The output folder of `npx remotion bundle`; here the TypeScript tests' fixture.
		filepath.Join(here, "..", "..", "remotion-lambda", "fixtures", "site"))
	assembly := app.Synth(nil)
	return stack, assertions.Template_FromStack(stack.Stack, nil), *assembly.Directory()
}

func TestDeploysRemotionsFunctionUnderItsOwnNameFromTheInstalledVersion(t *testing.T) {
	stack, template, _ := synthesizedRemotionLambdaStack(t)
	assertJSON(t, "function name", *stack.Remotion.FunctionName(), remotionFunctionName)
	assertJSON(t, "Remotion version", *stack.Remotion.RemotionVersion(), "4.0.527")
	template.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]interface{}{
		"FunctionName":     remotionFunctionName,
		"Runtime":          "nodejs24.x",
		"Handler":          "index.handler",
		"Architectures":    []string{"arm64"},
		"EphemeralStorage": map[string]interface{}{"Size": 2048},
	})
}

func TestTakesTheFunctionZipFromThisFoldersNodeModules(t *testing.T) {
	_, _, directory := synthesizedRemotionLambdaStack(t)
	zip, err := os.Stat(filepath.Join("node_modules", "@remotion", "lambda", "remotionlambda-arm64.zip"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(directory, "RemotionLambdaStack.assets.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Files map[string]struct {
			Source struct{ Path, Packaging string }
		}
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		t.Fatal(err)
	}
	var sizes []int64
	for _, asset := range manifest.Files {
		if asset.Source.Packaging == "file" {
			staged, err := os.Stat(filepath.Join(directory, asset.Source.Path))
			if err != nil {
				t.Fatal(err)
			}
			if staged.Size() == zip.Size() {
				return
			}
			sizes = append(sizes, staged.Size())
		}
	}
	t.Errorf("no file asset has the size of remotionlambda-arm64.zip (%d bytes): %v", zip.Size(), sizes)
}

func TestRendersGoToThatFunctionAndSite(t *testing.T) {
	stack, _, _ := synthesizedRemotionLambdaStack(t)
	assertJSON(t, "render target", *stack.Api.RenderFunction().RemotionFunctionName(), remotionFunctionName)
	assertJSON(t, "serve URL", *stack.Api.RenderFunction().ServeUrl(), *stack.Site.ServeUrl())
}

func TestLayersAreRemotionsHostedLayersOfTheRegion(t *testing.T) {
	_, template, _ := synthesizedRemotionLambdaStack(t)
	function := onlyResource(t, template, "AWS::Lambda::Function", "FunctionName", remotionFunctionName)
	var kinds []string
	for _, layer := range properties(function)["Layers"].([]interface{}) {
		arn := layer.(string)
		prefix := "arn:aws:lambda:" + region + ":678892195805:layer:"
		if !strings.HasPrefix(arn, prefix) {
			t.Errorf("layer %s is not Remotion's in %s", arn, region)
		}
		name := strings.TrimPrefix(arn, prefix)
		kinds = append(kinds, name[:strings.LastIndex(name, ":")])
	}
	assertJSON(t, "layers", kinds, []string{"remotion-binaries-fonts-arm64", "remotion-binaries-chromium-arm64",
		"remotion-binaries-emoji-google-arm64", "remotion-binaries-cjk-arm64"})
}
