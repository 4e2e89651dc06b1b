// Key Vault (Azure RBAC, soft delete) holding the one secret the app needs: the key that signs
// outgoing webhooks to the e-mail provider. The app reads it through a Key Vault reference.

@description('Name of the Key Vault.')
param name string

@description('Azure region of the vault.')
param location string

@description('Tags applied to the vault.')
param tags object

@description('Shared secret used to sign e-mail webhook calls (HMAC).')
@secure()
param webhookEmailSecret string

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
    publicNetworkAccess: 'Enabled'
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

output name string = vault.name
output uri string = vault.properties.vaultUri
output webhookSecretName string = webhookSecret.name
// Versionless URI: a Key Vault reference then follows rotations of the secret.
output webhookSecretUri string = webhookSecret.properties.secretUri
