//! The provider block's schema.

use provider_framework::Attribute;

/// The provider block's attributes.
pub fn schema_attributes() -> Vec<Attribute> {
    vec![
        Attribute::string("tenant_id").describe(
            "The directory (tenant) ID or a verified domain of the tenant. Required for client secret, \
             certificate and OIDC authentication. Can also be set with the `ARM_TENANT_ID` environment variable.",
        ),
        Attribute::string("client_id").describe(
            "The application (client) ID of the app registration to authenticate as, or of a user-assigned \
             managed identity. Can also be set with the `ARM_CLIENT_ID` environment variable.",
        ),
        Attribute::string("client_secret").sensitive().describe(
            "A client secret of the app registration. Can also be set with the `ARM_CLIENT_SECRET` \
             environment variable.",
        ),
        Attribute::string("client_secret_file_path").describe(
            "The path to a file holding a client secret of the app registration. Can also be set with the \
             `ARM_CLIENT_SECRET_FILE_PATH` environment variable.",
        ),
        Attribute::string("client_certificate").sensitive().describe(
            "A base64-encoded PKCS#12 bundle with the app registration's certificate and private key. Can also \
             be set with the `ARM_CLIENT_CERTIFICATE` environment variable.",
        ),
        Attribute::string("client_certificate_path").describe(
            "The path to a PKCS#12 (`.pfx`/`.p12`) bundle, or a PEM file with the certificate and its \
             unencrypted private key. Can also be set with the `ARM_CLIENT_CERTIFICATE_PATH` environment variable.",
        ),
        Attribute::string("client_certificate_password").sensitive().describe(
            "The password of the PKCS#12 bundle. Can also be set with the `ARM_CLIENT_CERTIFICATE_PASSWORD` \
             environment variable.",
        ),
        Attribute::bool("use_oidc").describe(
            "Authenticate with workload identity federation (OIDC), exchanging a token from GitHub Actions, \
             Azure DevOps, Kubernetes or another identity provider. Defaults to `false`. Can also be set with \
             the `ARM_USE_OIDC` environment variable.",
        ),
        Attribute::string("oidc_token").sensitive().describe(
            "An OIDC token to exchange. Can also be set with the `ARM_OIDC_TOKEN` environment variable.",
        ),
        Attribute::string("oidc_token_file_path").describe(
            "The path to a file holding the OIDC token to exchange, re-read whenever a token is needed. Can also \
             be set with the `ARM_OIDC_TOKEN_FILE_PATH` environment variable.",
        ),
        Attribute::string("oidc_request_url").describe(
            "The URL to request an OIDC token from. Can also be set with the `ARM_OIDC_REQUEST_URL` environment \
             variable; GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_URL` and Azure DevOps' `SYSTEM_OIDCREQUESTURI` \
             are used otherwise.",
        ),
        Attribute::string("oidc_request_token").sensitive().describe(
            "The bearer token for `oidc_request_url`. Can also be set with the `ARM_OIDC_REQUEST_TOKEN` \
             environment variable; GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_TOKEN` and Azure DevOps' \
             `SYSTEM_ACCESSTOKEN` are used otherwise.",
        ),
        Attribute::string("ado_pipeline_service_connection_id").describe(
            "The ID of the Azure DevOps service connection to request OIDC tokens for. Can also be set with the \
             `ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID` environment variable.",
        ),
        Attribute::bool("use_msi").describe(
            "Authenticate as the managed identity of the Azure VM, scale set, App Service or Function running \
             Terraform (user-assigned when `client_id` is set). Defaults to `false`. Can also be set with the \
             `ARM_USE_MSI` environment variable.",
        ),
        Attribute::string("msi_endpoint").describe(
            "Overrides the managed identity token endpoint (default: App Service's `IDENTITY_ENDPOINT` when set, \
             else IMDS at `http://169.254.169.254/metadata/identity/oauth2/token`). Can also be set with the \
             `ARM_MSI_ENDPOINT` environment variable.",
        ),
        Attribute::bool("use_cli").describe(
            "Authenticate with the Azure CLI's signed-in account (`az login`) when no other method is \
             configured. Defaults to `true`. Can also be set with the `ARM_USE_CLI` environment variable.",
        ),
        Attribute::string("environment").describe(
            "The cloud: `global` (default), `usgovernment`, `dod` or `china`. Sets the login and Graph \
             endpoints and the OIDC token-exchange audience. Can also be set with the `ARM_ENVIRONMENT` \
             environment variable.",
        ),
        Attribute::string("graph_endpoint").describe(
            "Overrides the Microsoft Graph endpoint (default from `environment`, `https://graph.microsoft.com`), \
             e.g. to use the entra-emulator. Plain `http://` is accepted only for loopback hosts. Can also be \
             set with the `ENTRA_GRAPH_ENDPOINT` environment variable.",
        ),
        Attribute::string("login_endpoint").describe(
            "Overrides the Microsoft Entra login endpoint (default from `environment`, \
             `https://login.microsoftonline.com`). Plain `http://` is accepted only for loopback hosts. Can also \
             be set with the `ENTRA_LOGIN_ENDPOINT` environment variable.",
        ),
    ]
}
