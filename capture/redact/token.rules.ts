// Token formats published by public secret-scanner rule sets (gitleaks, trufflehog, GitHub secret
// scanning and the vendors' own docs): a literal prefix, then runs of a character class with a
// length range. Written as data so the matcher can take each run whole (no backtracking).
import type { ClassName } from './runs.ts';

/**
 * A literal, or a run of a class between `min` and `max` characters: a fixed length is matched
 * character by character, a range takes the whole run of the class (possessively).
 */
export type Segment = string | readonly [ClassName, number, number];

export interface TokenRule {
  kind: string;
  segments: readonly Segment[];
  /** The token must not be followed by a character of this class (default: a letter or digit). */
  endNot?: ClassName | null;
  /** What the text just before the token must end with (tested on at most 16 characters). */
  before?: RegExp;
}

const r = (kind: string, ...segments: Segment[]): TokenRule => ({ kind, segments });
const c = (cls: ClassName, min: number, max = min): Segment => [cls, min, max] as const;
/** One rule per prefix, same body. */
const each = (kind: string, prefixes: string[], ...body: Segment[]) => prefixes.map((p) => r(kind, p, ...body));

export const TOKEN_RULES: readonly TokenRule[] = [
  // Cloud providers.
  ...each('aws_access_key', ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'AGPA', 'AIDA', 'AROA', 'AIPA', 'ANPA', 'ANVA', 'APKA'], c('upnum', 16)),
  r('alibaba_access_key', 'LTAI', c('alnum', 20, 24)),
  r('google_api_key', 'AIza', c('wd', 35)),
  r('google_oauth_secret', 'GOCSPX-', c('wd', 28, 40)),
  r('google_oauth_token', 'ya29.', c('wd', 20, 2048)),
  r('google_refresh_token', '1//0', c('wd', 40, 512)),
  ...each('digitalocean_token', ['dop_v1_', 'doo_v1_', 'dor_v1_'], c('hex', 64)),
  r('yandex_api_key', 'AQVN', c('wd', 35, 38)),
  r('yandex_iam_token', 't1.', c('wd', 8, 32), '.', c('wd', 86, 100)),
  r('openshift_token', 'sha256~', c('wd', 43)),
  r('tencent_secret_id', 'AKID', c('alnum', 32, 36)),
  r('flyio_token', 'fo1_', c('wd', 43)),
  r('flyio_token', 'FlyV1 fm2_', c('b64any', 40, 4096)),
  r('heroku_api_key', 'HRKU-', c('wd', 36, 64)),
  r('scalingo_token', 'tk-us-', c('wd', 48)),
  // Source control and CI.
  ...each('github_token', ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], c('alnum', 36, 255)),
  r('github_token', 'github_pat_', c('word', 60, 255)),
  r('github_token', 'v1.', c('hex', 40)),
  ...each('gitlab_token', ['glpat-', 'gldt-', 'glrt-', 'glcbt-', 'glimt-', 'glsoat-', 'glft-', 'glagent-', 'gloas-', 'glffct-', 'glwt-', 'glptt-'], c('wd', 20, 128)),
  r('bitbucket_token', 'ATBB', c('alnum', 32, 64)),
  r('atlassian_token', 'ATATT3', c('b64any', 150, 256)),
  r('atlassian_token', 'ATCTT3', c('b64any', 150, 256)),
  r('circleci_token', 'CCIPAT_', c('wd', 22, 80)),
  r('buildkite_token', 'bkua_', c('hex', 40)),
  r('sourcegraph_token', 'sgp_', c('wd', 40, 80)),
  r('jfrog_token', 'AKCp', c('alnum', 69, 73)),
  r('jfrog_token', 'cmVmdGtuOjAxOj', c('b64', 40, 128)),
  r('harness_token', 'pat.', c('wd', 22), '.', c('HEX', 24), '.', c('alnum', 20)),
  r('octopus_api_key', 'API-', c('upnum', 26, 32)),
  // Chat, mail, messaging.
  ...each('slack_token', ['xoxb-', 'xoxp-', 'xoxa-', 'xoxr-', 'xoxs-', 'xoxe-', 'xoxo-', 'xoxe.xoxp-', 'xoxe.xoxb-'], c('ad', 10, 255)),
  r('slack_token', 'xapp-', c('ad', 20, 255)),
  ...each('slack_webhook', ['hooks.slack.com/services/', 'hooks.slack.com/workflows/', 'hooks.slack.com/triggers/'], c('path', 20, 255)),
  r('discord_webhook', 'discord.com/api/webhooks/', c('digit', 10, 25), '/', c('wd', 30, 128)),
  r('discord_webhook', 'discordapp.com/api/webhooks/', c('digit', 10, 25), '/', c('wd', 30, 128)),
  r('microsoft_teams_webhook', 'webhook.office.com/webhookb2/', c('b64any', 20, 512)),
  r('sendgrid_api_key', 'SG.', c('wd', 20, 24), '.', c('wd', 40, 50)),
  r('mailgun_api_key', 'key-', c('hex', 32)),
  r('mailgun_public_key', 'pubkey-', c('hex', 32)),
  r('brevo_api_key', 'xkeysib-', c('hex', 64), '-', c('alnum', 16)),
  r('brevo_smtp_key', 'xsmtpsib-', c('hex', 64), '-', c('alnum', 16)),
  r('twilio_api_key', 'SK', c('hex', 32)),
  r('resend_api_key', 're_', c('alnum', 8, 10), '_', c('wd', 20, 32)),
  { kind: 'telegram_bot_token', segments: ['AA', c('wd', 33)], before: /[0-9]{8,10}:$/ },
  // Payments and commerce.
  ...each('paystack_key', ['sk_live_', 'sk_test_'], c('hex', 40)),
  ...each('stripe_key', ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'], c('alnum', 16, 255)),
  r('stripe_webhook_secret', 'whsec_', c('b64', 24, 128)),
  ...each('square_token', ['sq0atp-', 'sq0csp-', 'EAAA'], c('wd', 22, 100)),
  ...each('shopify_token', ['shpat_', 'shpca_', 'shppa_', 'shpss_'], c('HEX', 32)),
  ...each('razorpay_key', ['rzp_live_', 'rzp_test_'], c('alnum', 14, 32)),
  ...each('flutterwave_key', ['FLWSECK_TEST-', 'FLWSECK-'], c('HEX', 32), '-X'),
  ...each('duffel_token', ['duffel_test_', 'duffel_live_'], c('wd', 43)),
  ...each('shippo_token', ['shippo_live_', 'shippo_test_'], c('hex', 40)),
  ...each('lob_api_key', ['live_', 'test_'], c('hex', 35)),
  ...each('easypost_key', ['EZAK', 'EZTK'], c('alnum', 54)),
  r('plaid_token', 'access-sandbox-', c('ad', 36)),
  r('plaid_token', 'access-production-', c('ad', 36)),
  r('plaid_token', 'access-development-', c('ad', 36)),
  r('gocardless_token', 'live_', c('wd', 40)),
  r('klaviyo_key', 'pk_', c('hex', 34)),
  r('coinbase_key', 'organizations/', c('ad', 36), '/apiKeys/', c('ad', 36)),
  // AI providers.
  r('anthropic_api_key', 'sk-ant-', c('wd', 32, 255)),
  r('openai_api_key', 'sk-proj-', c('wd', 32, 255)),
  r('openai_api_key', 'sk-svcacct-', c('wd', 32, 255)),
  r('openai_api_key', 'sk-admin-', c('wd', 32, 255)),
  r('openrouter_api_key', 'sk-or-v1-', c('hex', 64)),
  r('openai_api_key', 'sk-', c('alnum', 32, 255)),
  r('huggingface_token', 'hf_', c('alnum', 30, 40)),
  r('huggingface_token', 'api_org_', c('alnum', 30, 40)),
  r('replicate_token', 'r8_', c('alnum', 37, 40)),
  r('groq_api_key', 'gsk_', c('alnum', 48, 56)),
  r('perplexity_api_key', 'pplx-', c('alnum', 40, 56)),
  r('xai_api_key', 'xai-', c('alnum', 70, 90)),
  r('langsmith_api_key', 'lsv2_pt_', c('hex', 32), '_', c('hex', 10)),
  r('langsmith_api_key', 'lsv2_sk_', c('hex', 32), '_', c('hex', 10)),
  r('pinecone_api_key', 'pcsk_', c('alnum', 4, 8), '_', c('alnum', 40, 80)),
  r('notion_token', 'secret_', c('alnum', 43)),
  r('notion_token', 'ntn_', c('alnum', 40, 50)),
  // Infrastructure, data and ops.
  ...each('hashicorp_vault_token', ['hvs.', 'hvb.', 'hvr.'], c('wd', 24, 512)),
  r('terraform_cloud_token', '', c('lownum', 14), '.atlasv1.', c('wd', 60, 70)),
  r('databricks_token', 'dapi', c('hex', 32)),
  r('dynatrace_token', 'dt0c01.', c('upnum', 24), '.', c('upnum', 64)),
  r('doppler_token', 'dp.pt.', c('alnum', 40, 44)),
  r('doppler_token', 'dp.st.', c('wdd', 40, 80)),
  r('doppler_token', 'dp.sa.', c('alnum', 40, 44)),
  r('doppler_token', 'dp.ct.', c('alnum', 40, 44)),
  r('doppler_token', 'dp.scim.', c('alnum', 40, 44)),
  r('pulumi_token', 'pul-', c('hex', 40)),
  r('planetscale_token', 'pscale_tkn_', c('wdd', 32, 64)),
  r('planetscale_password', 'pscale_pw_', c('wdd', 32, 64)),
  r('planetscale_token', 'pscale_oauth_', c('wdd', 32, 64)),
  r('prefect_token', 'pnu_', c('alnum', 36)),
  r('supabase_token', 'sbp_', c('hex', 40)),
  r('supabase_token', 'sb_secret_', c('wd', 20, 64)),
  r('neon_api_key', 'napi_', c('lownum', 60, 72)),
  r('render_api_key', 'rnd_', c('alnum', 32)),
  r('netlify_token', 'nfp_', c('alnum', 36, 40)),
  r('tailscale_key', 'tskey-', c('wd', 20, 128)),
  r('grafana_token', 'glsa_', c('alnum', 32), '_', c('HEX', 8)),
  r('grafana_token', 'glc_', c('b64any', 32, 400)),
  r('grafana_token', 'eyJrIjoi', c('b64any', 40, 400)),
  r('newrelic_key', 'NRAK-', c('upnum', 27)),
  r('newrelic_key', 'NRII-', c('wd', 32)),
  r('newrelic_key', 'NRJS-', c('HEX', 19)),
  r('newrelic_key', 'NRAA-', c('HEX', 27)),
  r('sentry_token', 'sntrys_', c('b64any', 60, 512)),
  r('sentry_token', 'sntryu_', c('hex', 64)),
  r('dockerhub_token', 'dckr_pat_', c('wd', 27, 64)),
  r('dockerhub_token', 'dckr_oat_', c('wd', 27, 64)),
  r('npm_token', 'npm_', c('alnum', 36)),
  r('pypi_token', 'pypi-AgE', c('wd', 50, 512)),
  r('rubygems_token', 'rubygems_', c('hex', 48)),
  r('nuget_api_key', 'oy2', c('lownum', 43)),
  r('clojars_token', 'CLOJARS_', c('lownum', 60)),
  r('readme_api_key', 'rdme_', c('lownum', 70)),
  r('infracost_key', 'ico-', c('alnum', 32)),
  r('postman_key', 'PMAK-', c('HEX', 24), '-', c('HEX', 34)),
  r('linear_api_key', 'lin_api_', c('alnum', 40)),
  r('linear_api_key', 'lin_oauth_', c('HEX', 64)),
  r('typeform_token', 'tfp_', c('wdd', 40, 64)),
  r('frameio_token', 'fio-u-', c('b64any', 64)),
  r('adobe_client_secret', 'p8e-', c('alnum', 32)),
  r('age_secret_key', 'AGE-SECRET-KEY-1', c('upnum', 58)),
  r('onepassword_token', 'ops_eyJ', c('b64any', 200, 4096)),
  r('hubspot_token', 'pat-na1-', c('ad', 36)),
  r('hubspot_token', 'pat-eu1-', c('ad', 36)),
  r('asana_token', '2/', c('digit', 10, 20), '/', c('digit', 10, 20), ':', c('hex', 32)),
  r('facebook_token', 'EAACEdEose0cBA', c('alnum', 20, 512)),
  r('facebook_token', 'EAAB', c('alnum', 100, 512)),
  r('twitter_bearer_token', 'AAAAAAAAAAAAAAAAAAAAA', c('b64any', 40, 256)),
  r('dropbox_token', 'sl.', c('wd', 130, 1400)),
  r('mapbox_secret_token', 'sk.eyJ', c('wdd', 40, 512)),
  r('intra42_secret', 's-s4t2ud-', c('hex', 64)),
  r('intra42_secret', 's-s4t2af-', c('hex', 64)),
  r('maxmind_license_key', '', c('alnum', 6), '_', c('alnum', 29), '_mmk'),
  r('mailchimp_api_key', '', c('hex', 32), '-us', c('digit', 1, 2)),
  r('azure_client_secret', '', c('azs', 3), c('digit', 1), 'Q~', c('azs', 31, 34)),
  r('cloudflare_origin_ca_key', 'v1.0-', c('hex', 24), '-', c('hex', 146)),
  r('authress_key', 'sc_', c('lownum', 5, 30), '.', c('lownum', 4, 6), '.acc_', c('ad', 10, 32), '.', c('b64any', 30, 120)),
  // JSON Web Tokens (JWS: three parts; the signature may be empty only in `alg: none` tokens).
  r('jwt', 'eyJ', c('wd', 8, 4096), '.eyJ', c('wd', 8, 16384), '.', c('wd', 0, 4096)),
];
