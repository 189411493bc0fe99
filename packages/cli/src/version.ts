declare const __ADS_TOKEN_CLI_VERSION__: string | undefined;

/** Version of this package, set at build time. */
export const VERSION: string = typeof __ADS_TOKEN_CLI_VERSION__ === 'string' ? __ADS_TOKEN_CLI_VERSION__ : '0.0.0-dev';
