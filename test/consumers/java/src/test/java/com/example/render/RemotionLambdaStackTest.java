package com.example.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** Asserts what RemotionLambda synthesizes from Java, with the zip of this folder's `npm i @remotion/lambda`. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemotionLambdaStackTest {
    private static final String FUNCTION_NAME = "remotion-render-4-0-527-mem2048mb-disk2048mb-120sec";
    /** Maven runs the tests in the consumer's folder (test/consumers/java). */
    private static final Path HERE = Path.of(System.getProperty("user.dir"));

    private RemotionLambdaStack stack;
    private Template template;
    private Path assembly;

    @BeforeAll
    void synthesize(@TempDir final Path outdir) {
        App app = RenderApp.newApp(outdir.toString());
        stack = new RemotionLambdaStack(app, "RemotionLambdaStack", StackProps.builder()
            .env(Environment.builder().account(RenderApp.ACCOUNT).region(RenderApp.REGION).build())
            .build(), HERE, HERE.resolve("../../remotion-lambda/fixtures/site").normalize());
        assembly = Path.of(app.synth().getDirectory());
        template = Template.fromStack(stack);
    }

    @Test
    void deploysRemotionsFunctionUnderItsOwnName() {
        assertEquals(FUNCTION_NAME, stack.getRemotion().getFunctionName());
        assertEquals("4.0.527", stack.getRemotion().getRemotionVersion());
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
            "FunctionName", FUNCTION_NAME,
            "Runtime", "nodejs24.x",
            "Handler", "index.handler",
            "Architectures", List.of("arm64"),
            "EphemeralStorage", Map.of("Size", 2048)));
        template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of("MaximumRetryAttempts", 0));
    }

    @Test
    void takesTheZipFromThisFoldersNodeModules() throws Exception {
        long zip = Files.size(HERE.resolve("node_modules/@remotion/lambda/remotionlambda-arm64.zip"));
        List<Long> staged;
        try (var files = Files.list(assembly)) {
            staged = files.filter(f -> f.getFileName().toString().endsWith(".zip")).map(f -> {
                try {
                    return Files.size(f);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).collect(Collectors.toList());
        }
        assertTrue(staged.contains(zip), "staged zips " + staged + " include the installed zip of " + zip + " B");
    }

    @Test
    void rendersGoToThatFunctionAndBucket() {
        assertEquals(FUNCTION_NAME, stack.getApi().getRenderFunction().getRemotionFunctionName());
        assertEquals(stack.getSite().getServeUrl(), stack.getApi().getRenderFunction().getServeUrl());
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
            "Environment", Map.of("Variables", Match.objectLike(Map.of("REMOTION_FUNCTION_NAME", FUNCTION_NAME)))));
    }
}
