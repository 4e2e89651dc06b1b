// Key Vault (Azure RBAC, soft delete) holding the app's secrets, each read through a Key Vault
// reference in an app setting (never a plain value in the site's configuration):
// - webhook-email-secret: signs outgoing webhooks to the e-mail provider;
// - storefront-key: the key the storefront sends in X-Api-Key (the app keeps only its SHA-256);
// - privacy-tombstone-key: the HMAC key of erasure tombstones and sealed workflow timers.

@description('Name of the Key Vault.')
param name string

@description('Azure region of the vault.')
param location string

@description('Tags applied to the vault.')
param tags object

@description('Shared secret used to sign e-mail webhook calls (HMAC).')
@secure()
param webhookEmailSecret string

@description('Key of the storefront client "storefront" (sent in X-Api-Key on /api/events and /api/recommendations).')
@secure()
param storefrontKey string

@description('HMAC key of erasure tombstones and sealed timers (Recommender:Privacy:TombstoneKey, 32+ characters).')
@secure()
@minLength(32)
param tombstoneKey string

@description('Public network access: Enabled (Entra ID still required) or Disabled (private endpoints only).')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

@description('Turn purge protection on (irreversible; keeps a deleted vault and its name for the retention period).')
param enablePurgeProtection bool = false

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // The service accepts only true or an absent value here.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: publicNetworkAccess == 'Enabled' ? 'Allow' : 'Deny'
    }
  }
}

resource webhookSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'webhook-email-secret'
  properties: {
    value: webhookEmailSecret
    contentType: 'text/plain'
  }
}

resource storefrontKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'storefront-key'
  properties: {
    value: storefrontKey
    contentType: 'text/plain'
  }
}

resource tombstoneKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'privacy-tombstone-key'
  properties: {
    value: tombstoneKey
    contentType: 'text/plain'
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
output webhookSecretName string = webhookSecret.name
// Versionless URI: a Key Vault reference then follows rotations of the secret.
output webhookSecretUri string = webhookSecret.properties.secretUri
output storefrontKeySecretName string = storefrontKeySecret.name
output storefrontKeySecretUri string = storefrontKeySecret.properties.secretUri
output tombstoneKeySecretName string = tombstoneKeySecret.name
output tombstoneKeySecretUri string = tombstoneKeySecret.properties.secretUri
