package com.example.render;

import java.nio.file.Path;

import org.remotion.constructs.AuthenticatedRenderApi;
import org.remotion.constructs.AuthenticatedRenderApiProps;
import org.remotion.constructs.RemotionLambda;
import org.remotion.constructs.RemotionLambdaProps;
import org.remotion.constructs.RemotionRenderFunctionProps;
import org.remotion.constructs.RemotionSite;
import org.remotion.constructs.RemotionSiteOptions;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.constructs.Construct;

/** Remotion's own render function, bucket and site, and the render API in front of them. */
public class RemotionLambdaStack extends Stack {
    private final RemotionLambda remotion;
    private final RemotionSite site;
    private final AuthenticatedRenderApi api;

    /**
     * @param remotionDir folder whose node_modules holds the consumer's own `npm i @remotion/lambda`
     * @param bundleDir   output folder of `npx remotion bundle`
     */
    public RemotionLambdaStack(final Construct scope, final String id, final StackProps props, final Path remotionDir, final Path bundleDir) {
        super(scope, id, props);
        remotion = new RemotionLambda(this, "Remotion", RemotionLambdaProps.builder()
            .remotionPackageDir(remotionDir.toString())
            .build());
        site = remotion.addSite("my-video", RemotionSiteOptions.builder()
            .bundleDir(bundleDir.toString())
            .build());
        api = new AuthenticatedRenderApi(this, "Render", AuthenticatedRenderApiProps.builder()
            .render(RemotionRenderFunctionProps.builder()
                .site(site)
                .compositions(java.util.List.of("HelloWorld"))
                .build())
            .build());
    }

    public RemotionLambda getRemotion() {
        return remotion;
    }

    public RemotionSite getSite() {
        return site;
    }

    public AuthenticatedRenderApi getApi() {
        return api;
    }
}
