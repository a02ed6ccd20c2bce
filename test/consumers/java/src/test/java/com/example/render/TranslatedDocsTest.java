package com.example.render;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.cxapi.CloudFormationStackArtifact;
import software.constructs.Construct;

/**
 * The Java that users read in the built artifact compiles and runs as written.
 *
 * <p>jsii-rosetta translates the README's TypeScript snippets and the {@code @example} blocks into
 * Java when the jar is built; they land in the Javadoc of the sources jar (package-info.java for
 * the README, each class's comment for its example). These tests read every {@code <pre>} block
 * back from that jar, compile it against the library and aws-cdk-lib with javac, instantiate the
 * stack it defines and synthesize it. A mistranslation ({@code Object policy = ...},
 * {@code RemotionPolicyPreset.getRENDER_ONLY()}) fails here with the snippet in the message.
 *
 * <p>Fragments run in the Java counterpart of rosetta/default.ts-fixture and
 * rosetta/existing-resources.ts-fixture: a Stack constructor with the consumer's existing
 * resources ({@code serveUrl}, {@code myRole}, ...) declared. Rosetta never writes
 * {@code import java.util.List;}, so complete programs that use {@code List.of} get that one
 * import added (see CONTRIBUTING.md, "Docs in every language").
 */
class TranslatedDocsTest {
    private static final Pattern PRE = Pattern.compile("<blockquote><pre>\\n(.*?)</pre></blockquote>", Pattern.DOTALL);
    private static final Pattern PUBLIC_CLASS = Pattern.compile("^public class (\\w+)", Pattern.MULTILINE);

    private static final String FIXTURE_IMPORTS = String.join("\n",
        "import java.util.List;",
        "import java.util.Map;",
        "import software.amazon.awscdk.*;",
        "import software.amazon.awscdk.services.apigatewayv2.*;",
        "import software.amazon.awscdk.services.cognito.*;",
        "import software.amazon.awscdk.services.iam.*;",
        "import software.amazon.awscdk.services.lambda.*;",
        "import software.amazon.awscdk.services.lambda.Function;",
        "import software.amazon.awscdk.services.lambda.Runtime;",
        "import software.amazon.awscdk.services.secretsmanager.*;",
        "import software.constructs.Construct;",
        "import org.remotion.constructs.*;",
        // Like the fragments' aws-cdk-lib types, the cdk-nag ones a fragment names without importing.
        "import io.github.cdklabs.cdknag.*;",
        "");

    private static final String FIXTURE_GIVEN = String.join("\n",
        "String serveUrl = \"" + RenderStack.SERVE_URL + "\";",
        "String remotionFunctionName = \"" + RenderStack.REMOTION_FUNCTION_NAME + "\";",
        "IRemotionSite site = RemotionSite.fromSiteAttributes(this, \"ExistingSite\", RemotionSiteAttributes.builder()"
            + ".serveUrl(serveUrl).remotionFunctionName(remotionFunctionName).build());",
        "IRole myRole = Role.Builder.create(this, \"MyRole\").assumedBy(new ServicePrincipal(\"lambda.amazonaws.com\")).build();",
        "IFunction myFunction = Function.Builder.create(this, \"MyFunction\").runtime(Runtime.NODEJS_22_X)"
            + ".handler(\"index.handler\").code(Code.fromInline(\"exports.handler = async () => {};\")).build();",
        "ISecret keysSecret = Secret.Builder.create(this, \"KeysSecret\").build();",
        "UserPool userPool = UserPool.Builder.create(this, \"UserPool\").build();",
        "IUserPoolClient userPoolClient = userPool.addClient(\"Client\");",
        "");

    /** One {@code <pre>} block of the library's Javadoc, and where it was found. */
    record Snippet(String where, String code) {
        boolean isComplete() {
            return PUBLIC_CLASS.matcher(code).find();
        }
    }

    static Path sourcesJar() {
        String repository = System.getProperty("remotion-constructs.repository").replaceFirst("^file://", "");
        String version = System.getProperty("remotion-constructs.version");
        return Path.of(repository, "org", "remotion", "remotion-constructs", version,
            "remotion-constructs-" + version + "-sources.jar");
    }

    static String unescapeHtml(final String javadoc) {
        return javadoc.replace("&lt;", "<").replace("&gt;", ">").replace("&#64;", "@").replace("&#47;", "/")
            .replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
    }

    static List<Snippet> snippets() throws IOException {
        List<Snippet> found = new ArrayList<>();
        try (ZipFile jar = new ZipFile(sourcesJar().toFile())) {
            Enumeration<? extends ZipEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (!entry.getName().startsWith("org/remotion/constructs/") || !entry.getName().endsWith(".java")) {
                    continue;
                }
                String source;
                try (InputStream in = jar.getInputStream(entry)) {
                    source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                Matcher m = PRE.matcher(source);
                int index = 0;
                while (m.find()) {
                    String code = unescapeHtml(m.group(1).lines().map(l -> l.replaceFirst("^ \\* ?", ""))
                        .collect(Collectors.joining("\n")));
                    index++;
                    if (looksLikeJava(code)) {
                        found.add(new Snippet(entry.getName() + " <pre> #" + index, code));
                    }
                }
            }
        }
        return found;
    }

    /** Shell commands, JSON and diagrams are copied verbatim; only Java is compiled. */
    static boolean looksLikeJava(final String code) {
        return code.contains(".Builder.create(") || PUBLIC_CLASS.matcher(code).find();
    }

    static String compilationUnit(final Snippet snippet, final String className) {
        if (snippet.isComplete()) {
            String code = snippet.code().replaceFirst("(?m)^package [\\w.]+;\\n", "");
            if (code.contains("List.of(") && !code.contains("import java.util.List;")) {
                code = "import java.util.List;\n" + code;
            }
            return "package snippets." + className.toLowerCase() + ";\n" + code;
        }
        // A fragment's own imports go above the fixture's, as rosetta hoists them.
        String imports = snippet.code().lines().filter(l -> l.startsWith("import ")).collect(Collectors.joining("\n", "", "\n"));
        String body = snippet.code().lines().filter(l -> !l.startsWith("import ")).collect(Collectors.joining("\n", "", "\n"));
        return "package snippets." + className.toLowerCase() + ";\n" + imports + FIXTURE_IMPORTS
            + "public class " + className + " extends Stack {\n"
            + "    public " + className + "(final Construct scope, final String id) {\n"
            + "        super(scope, id, StackProps.builder().env(Environment.builder()"
            + ".account(\"111122223333\").region(\"us-east-1\").build()).build());\n"
            + FIXTURE_GIVEN.indent(8)
            + body.indent(8)
            + "    }\n}\n";
    }

    /** Compiles the snippet with javac against the test classpath; returns the class to run. */
    static Class<?> compile(final Snippet snippet, final Path dir, final String name) throws Exception {
        String unit = compilationUnit(snippet, name);
        Matcher publicClass = PUBLIC_CLASS.matcher(unit);
        assertTrue(publicClass.find(), snippet.where() + " defines no public class:\n" + unit);
        String className = publicClass.group(1);
        String pkg = "snippets." + name.toLowerCase();
        Path file = dir.resolve(pkg.replace('.', '/')).resolve(className + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, unit);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        boolean ok = javac.getTask(diagnostics, null, null,
            List.of("-classpath", System.getProperty("java.class.path"), "-d", dir.toString(), "-proc:none"),
            null, javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(file.toFile()))
            .call();
        if (!ok) {
            fail(snippet.where() + " does not compile:\n" + diagnostics + "\n--- as compiled:\n" + unit);
        }
        URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, TranslatedDocsTest.class.getClassLoader());
        return loader.loadClass(pkg + "." + className);
    }

    static CloudAssembly run(final Class<?> stackClass, final Path outdir) throws Exception {
        App app = App.Builder.create().outdir(outdir.toString()).build();
        if (Stack.class.isAssignableFrom(stackClass)) {
            Constructor<?> withProps = Stream.of(stackClass.getConstructors()).filter(c -> c.getParameterCount() == 3)
                .findFirst().orElse(null);
            if (withProps != null) {
                withProps.newInstance(app, "SnippetStack", null);
            } else {
                stackClass.getConstructor(Construct.class, String.class).newInstance(app, "SnippetStack");
            }
        }
        return app.synth();
    }

    @Test
    void theSourcesJarCarriesTheTranslatedReadmeAndExamples() throws IOException {
        List<Snippet> found = snippets();
        // The README's translated TypeScript snippets, its own Java section, and three @example blocks.
        assertTrue(found.size() >= 9, "expected at least 9 Java snippets in " + sourcesJar() + ", found " + found.size());
        assertTrue(found.stream().anyMatch(s -> s.where().startsWith("org/remotion/constructs/package-info.java")),
            "no README snippet in package-info.java");
        for (String type : List.of("AuthenticatedRenderApi", "RemotionRenderPolicy", "RemotionRenderRole")) {
            assertTrue(found.stream().anyMatch(s -> s.where().endsWith("/" + type + ".java <pre> #1")), "no example in " + type);
        }
    }

    @Test
    void noSnippetDeclaresObjectOrCallsAGetterOnAnEnum() throws IOException {
        for (Snippet snippet : snippets()) {
            assertFalse(Pattern.compile("(?m)^\\s*Object \\w+ =").matcher(snippet.code()).find(),
                snippet.where() + " declares an Object:\n" + snippet.code());
            assertFalse(Pattern.compile("\\.get[A-Z][A-Z_]+\\(\\)").matcher(snippet.code()).find(),
                snippet.where() + " reads an enum member through a getter:\n" + snippet.code());
        }
    }

    @Test
    void noSnippetRepeatsAComment() throws IOException {
        for (Snippet snippet : snippets()) {
            List<String> lines = snippet.code().lines().map(String::strip).collect(Collectors.toList());
            for (int i = 1; i < lines.size(); i++) {
                assertFalse(lines.get(i).startsWith("//") && lines.get(i).equals(lines.get(i - 1)),
                    snippet.where() + " repeats " + lines.get(i) + ":\n" + snippet.code());
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everySnippetCompilesRunsAndSynthesizes(@TempDir final Path dir) throws IOException {
        List<Snippet> found = snippets();
        return found.stream().map(snippet -> DynamicTest.dynamicTest(snippet.where(), () -> {
            String name = "Snippet" + found.indexOf(snippet);
            Class<?> stackClass = compile(snippet, dir.resolve("classes"), name);
            CloudAssembly assembly = run(stackClass, dir.resolve("cdk.out-" + name));
            String templates = assembly.getStacks().stream()
                .map(CloudFormationStackArtifact::getTemplate).map(String::valueOf)
                .collect(Collectors.joining("\n"));
            // Every snippet makes something of ours: a role, a policy or the whole API.
            assertTrue(Stream.of("AWS::IAM::Role", "AWS::IAM::ManagedPolicy", "AWS::ApiGatewayV2::Api").anyMatch(templates::contains),
                snippet.where() + " made none of our resources:\n" + snippet.code());
        }));
    }
}
