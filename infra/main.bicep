// Recommender: serverless personalization pipeline on Azure Functions (custom handler).
// azd convention: subscription scope, one resource group "rg-<environment>", modules inside it.
//
//   clickstream ─▶ Event Hubs ─▶ function app ─▶ Cosmos DB (serverless) + Blob archive + queues
//                                      │
//                                      └─▶ webhooks signed with a secret from Key Vault
//
// The function app reaches every service with one user-assigned identity (modules/access.bicep
// lists its roles); no resource accepts keys.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and seeds resource names.')
param environmentName string

@minLength(1)
@description('Azure region of every resource (choose one that offers Flex Consumption).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group name; empty means rg-<environmentName>.')
param resourceGroupName string = ''

@description('Function app hosting plan: FlexConsumption (FC1, Linux, scale to zero) or ElasticPremium (EP1, Linux, always warm).')
@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
param hostingPlan string = 'FlexConsumption'

@description('Flex Consumption: memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Flex Consumption: maximum instance count.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Elastic Premium: maximum burst instance count.')
@minValue(1)
@maxValue(100)
param maximumElasticWorkerCount int = 20

@description('Partitions of the clickstream event hub (fixed after creation on the Standard tier).')
@minValue(1)
@maxValue(32)
param eventHubPartitionCount int = 4

@description('URL of the e-mail provider webhook; empty disables e-mail webhooks.')
param webhookEmailUrl string = ''

@description('Application ID URI (or client id) of the Entra ID app registration whose app roles (Privacy.Manage, Recommender.Admin) guard the privacy and admin routes. Empty: those routes rely on Functions keys only.')
param operatorApiAudience string = ''

// No default on purpose: azd generates the value once and keeps it in the environment, so the
// secret shared with the e-mail provider does not change on every provision. Outside azd, pass it.
@description('Shared secret used to sign e-mail webhook calls; stored in Key Vault only.')
@secure()
@metadata({
  azd: {
    type: 'generate'
    config: {
      length: 48
      noSpecial: true
    }
  }
})
param webhookEmailSecret string

@description('Turn Key Vault purge protection on (irreversible; recommended for production).')
param keyVaultPurgeProtection bool = false

// Safe by default: the storefront routes need a key from the first deployment. azd generates it once
// and keeps it in the environment (`azd env get-value` does not show it: read it from Key Vault,
// secret storefront-key, see docs/deployment.md).
@description('Key of the storefront client "storefront" (X-Api-Key); stored in Key Vault, the app keeps only its SHA-256.')
@secure()
@metadata({
  azd: {
    type: 'generate'
    config: {
      length: 48
      noSpecial: true
    }
  }
})
param storefrontKey string

@description('HMAC key of erasure tombstones and sealed timers (keep it stable: a new key forgets standing tombstones); stored in Key Vault.')
@secure()
@minLength(32)
@metadata({
  azd: {
    type: 'generate'
    config: {
      length: 64
      noSpecial: true
    }
  }
})
param tombstoneKey string

@description('Days each audit log entry stays immutable (time-based retention on the audit container).')
@minValue(1)
@maxValue(146000)
param auditRetentionDays int = 2557

@description('Network exposure of the function app\'s HTTP endpoint (the storefront calls it): Enabled by default.')
@allowed([
  'Enabled'
  'Disabled'
])
param functionAppPublicNetworkAccess string = 'Enabled'

@description('Network exposure of the data stores (Storage, Cosmos DB, Event Hubs, Key Vault). Public: reachable over the internet, with the app\'s Entra ID identity only (no store accepts keys). Private: public access off, private endpoints in a virtual network the app is integrated with.')
@allowed([
  'Public'
  'Private'
])
param dataNetworkAccess string = 'Public'

var tags = {
  'azd-env-name': environmentName
  application: 'recommender'
}
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var functionAppName = 'func-${resourceToken}'
var isPrivate = dataNetworkAccess == 'Private'
var dataPublicNetworkAccess = isPrivate ? 'Disabled' : 'Enabled'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${functionAppName}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: 'app-package'
    auditRetentionDays: auditRetentionDays
    publicNetworkAccess: dataPublicNetworkAccess
  }
}

module eventHubs 'modules/eventhubs.bicep' = {
  name: 'eventhubs'
  scope: rg
  params: {
    namespaceName: 'evhns-${resourceToken}'
    location: location
    tags: tags
    partitionCount: eventHubPartitionCount
    publicNetworkAccess: dataPublicNetworkAccess
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    accountName: 'cosmos-${resourceToken}'
    location: location
    tags: tags
    publicNetworkAccess: dataPublicNetworkAccess
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    webhookEmailSecret: webhookEmailSecret
    storefrontKey: storefrontKey
    tombstoneKey: tombstoneKey
    enablePurgeProtection: keyVaultPurgeProtection
    publicNetworkAccess: dataPublicNetworkAccess
  }
}

module network 'modules/network.bicep' = if (isPrivate) {
  name: 'network'
  scope: rg
  params: {
    name: 'vnet-${resourceToken}'
    location: location
    tags: tags
    hostingPlan: hostingPlan
    storageAccountId: storage.outputs.id
    cosmosAccountId: cosmos.outputs.id
    eventHubNamespaceId: eventHubs.outputs.id
    keyVaultId: keyVault.outputs.id
  }
}

module access 'modules/access.bicep' = {
  name: 'access'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    eventHubNamespaceName: eventHubs.outputs.namespaceName
    eventHubName: eventHubs.outputs.eventHubName
    cosmosAccountName: cosmos.outputs.accountName
    cosmosDatabaseName: cosmos.outputs.databaseName
    keyVaultName: keyVault.outputs.name
    secretNames: [
      keyVault.outputs.webhookSecretName
      keyVault.outputs.storefrontKeySecretName
      keyVault.outputs.tombstoneKeySecretName
    ]
    auditContainerName: storage.outputs.auditContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    hostingPlan: hostingPlan
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    maximumElasticWorkerCount: maximumElasticWorkerCount
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    dataContainerName: storage.outputs.dataContainerName
    eventHubFullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
    eventHubName: eventHubs.outputs.eventHubName
    eventHubConsumerGroup: eventHubs.outputs.consumerGroupName
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    webhookEmailUrl: webhookEmailUrl
    operatorApiAudience: operatorApiAudience
    webhookSecretUri: keyVault.outputs.webhookSecretUri
    auditContainerName: storage.outputs.auditContainerName
    storefrontKeySecretUri: keyVault.outputs.storefrontKeySecretUri
    tombstoneKeySecretUri: keyVault.outputs.tombstoneKeySecretUri
    publicNetworkAccess: functionAppPublicNetworkAccess
    virtualNetworkSubnetId: isPrivate ? network!.outputs.appSubnetId : ''
  }
  // Start the app only once its identity can reach host storage, the hub and the secret.
  dependsOn: [
    access
  ]
}

// Read by azd (stored in .azure/<env>/.env) and by scripts and tests against a deployed environment.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_FUNCTION_APP_HOSTING_PLAN string = hostingPlan
output AZURE_FUNCTION_APP_PACKAGE_URL string = functionApp.outputs.premiumPackageUrl
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_MANAGED_IDENTITY_NAME string = identity.outputs.name
output AZURE_COSMOS_ACCOUNT_NAME string = cosmos.outputs.accountName
output AZURE_COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output AZURE_COSMOS_DATABASE string = cosmos.outputs.databaseName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output AZURE_STORAGE_DATA_CONTAINER string = storage.outputs.dataContainerName
output AZURE_EVENTHUB_NAMESPACE string = eventHubs.outputs.namespaceName
output AZURE_EVENTHUB_FULLY_QUALIFIED_NAMESPACE string = eventHubs.outputs.fullyQualifiedNamespace
output AZURE_EVENTHUB_NAME string = eventHubs.outputs.eventHubName
output AZURE_EVENTHUB_CONSUMER_GROUP string = eventHubs.outputs.consumerGroupName
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output AZURE_STORAGE_AUDIT_CONTAINER string = storage.outputs.auditContainerName
output RECOMMENDER_STOREFRONT_KEY_SECRET string = keyVault.outputs.storefrontKeySecretName
