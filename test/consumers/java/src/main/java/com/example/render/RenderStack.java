package com.example.render;

import java.util.List;

import org.remotion.constructs.AuthenticatedRenderApi;
import org.remotion.constructs.IRemotionSite;
import org.remotion.constructs.RemotionRenderFunctionProps;
import org.remotion.constructs.RemotionRenderMonitoring;
import org.remotion.constructs.RemotionRenderRole;
import org.remotion.constructs.RemotionSite;
import org.remotion.constructs.RemotionSiteAttributes;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.iam.InstanceProfile;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.constructs.Construct;

/** An authenticated render API, and a role for EC2 instances that render with Remotion. */
public class RenderStack extends Stack {
    public static final String SERVE_URL =
        "https://remotionlambda-useast1-abcdef.s3.us-east-1.amazonaws.com/sites/my-site/index.html";
    public static final String REMOTION_FUNCTION_NAME = "remotion-render-4-0-527-mem2048mb-disk2048mb-120sec";

    private final AuthenticatedRenderApi api;
    private final RemotionRenderMonitoring monitoring;
    private final RemotionRenderRole renderRole;

    public RenderStack(final Construct scope, final String id, final StackProps props) {
        super(scope, id, props);

        // A site and render function deployed with the Remotion CLI.
        IRemotionSite site = RemotionSite.fromSiteAttributes(this, "Site", RemotionSiteAttributes.builder()
            .serveUrl(SERVE_URL)
            .remotionFunctionName(REMOTION_FUNCTION_NAME)
            .build());

        // POST /renders and GET /renders/{renderId}, behind a Cognito user pool.
        this.api = AuthenticatedRenderApi.Builder.create(this, "Render")
            .render(RemotionRenderFunctionProps.builder()
                .site(site)
                .compositions(List.of("HelloWorld"))
                .build())
            .build();

        // A dashboard, and the recommended alarms, notifying a topic it creates.
        this.monitoring = RemotionRenderMonitoring.Builder.create(this, "Monitoring")
            .api(this.api)
            .build();

        // A role (not an IAM user with keys) for EC2 instances that call Remotion themselves.
        this.renderRole = RemotionRenderRole.Builder.create(this, "Ec2RenderRole")
            .assumedBy(new ServicePrincipal("ec2.amazonaws.com"))
            .remotionFunctionNames(List.of(REMOTION_FUNCTION_NAME))
            .build();
        InstanceProfile.Builder.create(this, "Ec2RenderProfile")
            .role(this.renderRole)
            .build();
    }

    public AuthenticatedRenderApi getApi() {
        return api;
    }

    public RemotionRenderMonitoring getMonitoring() {
        return monitoring;
    }

    public RemotionRenderRole getRenderRole() {
        return renderRole;
    }
}
