package com.example.render;

import java.util.Map;

import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/** The app: `mvn compile exec:java` or `cdk synth --app "mvn -q compile exec:java"` would run main. */
public final class RenderApp {
    public static final String ACCOUNT = "111122223333";
    public static final String REGION = "us-east-1";

    private RenderApp() {
    }

    /** A new app with partition literals on, so that ARNs in a concrete environment are plain strings. */
    public static App newApp(final String outdir) {
        return new App(AppProps.builder()
            .outdir(outdir)
            .context(Map.of("@aws-cdk/core:enablePartitionLiterals", true))
            .build());
    }

    /** The render stack in account 111122223333, us-east-1. */
    public static RenderStack newStack(final App app) {
        return new RenderStack(app, "RemotionRenderStack", StackProps.builder()
            .env(Environment.builder().account(ACCOUNT).region(REGION).build())
            .build());
    }

    public static void main(final String[] args) {
        App app = newApp(null);
        newStack(app);
        app.synth();
    }
}
