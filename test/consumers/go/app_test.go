package main

// Shared by every *_test.go here: the app the tests synthesize, and helpers that read its template.
// A new assertion file needs only these: synthesizedRenderStack(t) or newApp(t), then assertions.Template.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

const (
	account = "111122223333"
	region  = "us-east-1"
	// runMainEnv makes the test binary run main() instead of the tests: how the app test runs the
	// app as `cdk synth` does, in a process of its own (main closes the jsii runtime when it ends).
	runMainEnv = "REMOTION_RENDER_APP_RUN_MAIN"
)

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// newApp is the app with partition literals on, so that ARNs in a concrete environment are plain strings.
func newApp(t *testing.T) awscdk.App {
	t.Helper()
	return awscdk.NewApp(&awscdk.AppProps{
		Outdir:  jsii.String(filepath.Join(t.TempDir(), "cdk.out")),
		Context: &map[string]interface{}{"@aws-cdk/core:enablePartitionLiterals": true},
	})
}

func environment() *awscdk.StackProps {
	return &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(region)}}
}

var (
	renderStackOnce     sync.Once
	renderStack         *RenderStack
	renderStackTemplate assertions.Template
)

// synthesizedRenderStack is the README's stack, synthesized once for every test that reads it.
func synthesizedRenderStack(t *testing.T) (*RenderStack, assertions.Template) {
	t.Helper()
	renderStackOnce.Do(func() {
		app := awscdk.NewApp(&awscdk.AppProps{
			Outdir:  jsii.String(filepath.Join(os.TempDir(), fmt.Sprintf("remotion-go-consumer-%d", os.Getpid()), "cdk.out")),
			Context: &map[string]interface{}{"@aws-cdk/core:enablePartitionLiterals": true},
		})
		renderStack = NewRenderStack(app, "RemotionRenderStack", environment())
		app.Synth(nil)
		renderStackTemplate = assertions.Template_FromStack(renderStack.Stack, nil)
	})
	return renderStack, renderStackTemplate
}

// resources is the template's resources of one type, by logical id, as plain JSON values.
func resources(template assertions.Template, resourceType string) map[string]map[string]interface{} {
	found := map[string]map[string]interface{}{}
	for id, resource := range *template.FindResources(jsii.String(resourceType), nil) {
		found[id] = plain(resource).(map[string]interface{})
	}
	return found
}

// onlyResource is the one resource of a type whose properties hold key = value.
func onlyResource(t *testing.T, template assertions.Template, resourceType, key string, value interface{}) map[string]interface{} {
	t.Helper()
	var matches []map[string]interface{}
	for _, resource := range resources(template, resourceType) {
		if equalJSON(properties(resource)[key], value) {
			matches = append(matches, resource)
		}
	}
	if len(matches) != 1 {
		t.Fatalf("want one %s with %s = %v, found %d", resourceType, key, value, len(matches))
	}
	return matches[0]
}

func properties(resource map[string]interface{}) map[string]interface{} {
	props, _ := resource["Properties"].(map[string]interface{})
	return props
}

// plain turns what jsii hands back (maps and slices of interface{}) into what encoding/json makes,
// so that values compare with equalJSON and print readably.
func plain(value interface{}) interface{} {
	encoded, err := json.Marshal(value)
	if err != nil {
		panic(err)
	}
	var decoded interface{}
	if err := json.Unmarshal(encoded, &decoded); err != nil {
		panic(err)
	}
	return decoded
}

func equalJSON(a, b interface{}) bool {
	left, _ := json.Marshal(plain(a))
	right, _ := json.Marshal(plain(b))
	return string(left) == string(right)
}

func assertJSON(t *testing.T, what string, got, want interface{}) {
	t.Helper()
	if !equalJSON(got, want) {
		gotJSON, _ := json.MarshalIndent(plain(got), "", "  ")
		wantJSON, _ := json.MarshalIndent(plain(want), "", "  ")
		t.Errorf("%s:\n got: %s\nwant: %s", what, gotJSON, wantJSON)
	}
}

// synthError runs build and returns the message of the error that the library raised, or fails.
func synthError(t *testing.T, build func()) (message string) {
	t.Helper()
	defer func() {
		recovered := recover()
		if recovered == nil {
			t.Fatal("synthesized without an error")
		}
		message = fmt.Sprint(recovered)
	}()
	build()
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
