import type { OptionSpec } from './command.js';

/** Flags every command accepts. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  grant: { type: 'string', value: 'NAME', description: "Grant (advertiser authorization) to use (env ADS_GRANT; default 'default')" },
  'client-id': { type: 'string', value: 'ID', description: 'LWA client id (env ADS_CLIENT_ID); the secret comes from ADS_CLIENT_SECRET or the config file' },
  region: { type: 'string', value: 'NA|EU|FE', description: 'Ads API region (env ADS_REGION; default NA)' },
  store: { type: 'string', value: 'PATH|URL', description: 'Token file path, redis:// or postgres:// URL, or dynamodb://TABLE (env ADS_TOKEN_STORE; default ./.amazon_ads_tokens.json)' },
  'lock-dir': { type: 'string', value: 'DIR', description: 'Refresh lock directory for a token file store (env ADS_LOCK_DIR; default <token file>.locks)' },
  config: { type: 'string', value: 'PATH', description: 'JSON config file (default ./ads-token.config.json when present)' },
  'token-url': { type: 'string', value: 'URL', description: "LWA token endpoint override (env ADS_TOKEN_URL; default the region's)" },
  'authorization-url': { type: 'string', value: 'URL', description: "LWA consent page override (env ADS_AUTHORIZATION_URL; default the region's)" },
  'api-url': { type: 'string', value: 'URL', description: "Ads API base URL override (env ADS_API_URL; default the region's)" },
  help: { type: 'boolean', short: 'h', description: 'Show help for this command' },
};

/** The `--json` flag of commands that can answer in JSON. */
export const JSON_OPTION: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', description: 'Print JSON for scripts instead of text' },
};
