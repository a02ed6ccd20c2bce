package main

// The Go that users read in the built module: the README that jsii-rosetta translated
// (dist/go/remotionconstructs/README.md) and the examples in the doc comments. Rosetta's Go is
// fragments in its own style (`this` for the stack, struct types without their package), so it
// is not compiled here; what is checked are the mistakes that mislead a reader, which rosetta made
// in this library's docs before projenrc/rosetta-go.ts left those examples out of Go.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	goFence        = regexp.MustCompile("(?s)```go\n(.*?)```")
	docExample     = regexp.MustCompile(`(?m)^// Example:\n((?://   .*\n|//\n)+)`)
	shorthandField = regexp.MustCompile(`\b([A-Z]\w*): \*?([A-Z]\w*),`)
	declared       = regexp.MustCompile(`(?m)^\s*(?:var )?([a-z]\w*)(?: :=| [A-Z*\[])`)
	selector       = regexp.MustCompile(`\b([a-z]\w*)\.([A-Z]\w*)\b(\(?)`)
	mistakes       = []struct {
		pattern *regexp.Regexp
		what    string
	}{
		{regexp.MustCompile(`"github\.com/aws/aws-cdk-go/awscdk"`), "imports aws-cdk-go's module root (no /v2)"},
		{regexp.MustCompile(`"github\.com/cdklabs/cdk-nag-go/cdknag"`), "imports cdk-nag-go without /v2"},
		{regexp.MustCompile(`\[\]NagPackSuppression\{`), "a slice of structs where the API takes pointers"},
		{regexp.MustCompile(`NewServicePrincipal\(jsii\.String\("[^"]*"\)\)`), "NewServicePrincipal without its options argument"},
	}
	typescript    = regexp.MustCompile(`\bdeclare const\b|=> |\bnew [A-Z]|;\n`)
	stringLiteral = regexp.MustCompile(`"(?:[^"\\\n]|\\.)*"`)
)

// rosettaMistakes are the misleading things in one Go snippet.
func rosettaMistakes(snippet string) []string {
	var found []string
	for _, mistake := range mistakes {
		if mistake.pattern.MatchString(snippet) {
			found = append(found, mistake.what)
		}
	}
	// Outside string literals: a Go string may well hold JavaScript (an inline Lambda handler).
	if typescript.MatchString(stringLiteral.ReplaceAllString(snippet, `""`)) {
		found = append(found, "TypeScript, not Go")
	}
	for _, field := range shorthandField.FindAllStringSubmatch(snippet, -1) {
		if field[1] == field[2] {
			found = append(found, "`"+field[0]+"` names an undeclared value (TypeScript's shorthand { x })")
		}
	}
	// A value's properties are methods in Go: a declared value followed by .Name but not by ( reads
	// a field that does not exist. (Package names are never declared in a snippet.)
	locals := map[string]bool{}
	for _, name := range declared.FindAllStringSubmatch(snippet, -1) {
		locals[name[1]] = true
	}
	for _, use := range selector.FindAllStringSubmatch(snippet, -1) {
		if locals[use[1]] && use[3] == "" {
			found = append(found, "`"+use[1]+"."+use[2]+"` is a method in Go, not a field")
		}
	}
	return found
}

func TestRosettaMistakesFindsWhatRosettaGotWrongInThisLibrarysDocs(t *testing.T) {
	// Rosetta's own Go for README snippets, before they were left out of Go.
	for snippet, want := range map[string]string{
		"import sqs \"github.com/aws/aws-cdk-go/awscdk\"\n":                                          "module root",
		"iam.NewInstanceProfile(this, jsii.String(\"P\"), &InstanceProfileProps{\n\tRole: Role,\n})": "undeclared value",
		"\tSite: *Site,\n": "undeclared value",
		"AssumedBy: iam.NewServicePrincipal(jsii.String(\"ec2.amazonaws.com\")),":                                                                                                   "options argument",
		"fn := remotionconstructs.NewRemotionRenderFunction(this, nil, nil)\nawscdk.NewCfnOutput(this, jsii.String(\"A\"), &CfnOutputProps{\n\tValue: fn.Function.FunctionArn,\n})": "fn.Function",
		"[]NagPackSuppression{\n\t&NagPackSuppression{\n":                                                                                                                           "pointers",
		"declare const app: App;\niam.Role.customizeRoles(app, {});":                                                                                                                "TypeScript",
	} {
		if found := strings.Join(rosettaMistakes(snippet), "; "); !strings.Contains(found, want) {
			t.Errorf("want a mistake about %q in\n%s\nfound: %q", want, snippet, found)
		}
	}
	// JavaScript inside a Go string is Go.
	if found := rosettaMistakes("Code: lambda.Code_FromInline(jsii.String(\"exports.handler = async (e) => console.log(e);\")),\n"); len(found) > 0 {
		t.Errorf("an inline handler in a string is flagged: %v", found)
	}
	// And none in Go as the consumer writes it.
	app, err := os.ReadFile("render.go")
	if err != nil {
		t.Fatal(err)
	}
	if found := rosettaMistakes(string(app)); len(found) > 0 {
		t.Errorf("render.go, which compiles, is flagged: %v", found)
	}
}

func TestTheGoDocsOfTheBuiltModuleHoldNoMisleadingGo(t *testing.T) {
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/org/remotion-constructs-go/remotionconstructs").Output()
	if err != nil {
		t.Fatal(err)
	}
	module := strings.TrimSpace(string(dir))
	readme, err := os.ReadFile(filepath.Join(module, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	snippets := map[string]string{}
	for i, block := range goFence.FindAllStringSubmatch(string(readme), -1) {
		snippets["README.md go block "+string(rune('A'+i))] = block[1]
	}
	sources, _ := filepath.Glob(filepath.Join(module, "*.go"))
	examples := 0
	for _, file := range sources {
		source, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, example := range docExample.FindAllStringSubmatch(string(source), -1) {
			code := regexp.MustCompile(`(?m)^//(?:   )?`).ReplaceAllString(example[1], "")
			snippets[filepath.Base(file)+" example "+string(rune('A'+i))] = code
			examples++
		}
	}
	// The README's translated snippets and its own Go app; the @example blocks, and the
	// static-method example RemotionRenderRole inherits from iam.Role.
	if len(snippets)-examples < 10 || examples < 4 {
		t.Fatalf("found %d README go blocks and %d doc examples: fewer than the docs have", len(snippets)-examples, examples)
	}
	for where, snippet := range snippets {
		if strings.HasPrefix(strings.TrimSpace(snippet), "// Not shown in Go:") {
			continue
		}
		for _, mistake := range rosettaMistakes(snippet) {
			t.Errorf("%s: %s\n%s", where, mistake, snippet)
		}
	}
}
