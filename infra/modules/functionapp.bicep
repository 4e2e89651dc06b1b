// The function app: an ASP.NET Core custom handler (self-contained linux-x64 executable) run by
// the Functions host on Linux. Flex Consumption (FC1) by default, Elastic Premium (EP1) as the
// alternative. Every connection is identity-based through the user-assigned identity: there is
// no key, SAS or key-bearing connection string in any setting.

@description('Name of the function app.')
param name string

@description('Name of the hosting plan.')
param planName string

@description('Azure region of the plan and the app.')
param location string

@description('Tags applied to the plan and the app (the app also gets azd-service-name).')
param tags object

@description('Hosting plan: Flex Consumption (FC1) or Elastic Premium (EP1). Both run custom handlers on Linux.')
@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
param hostingPlan string

@description('Flex Consumption: memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Flex Consumption: maximum number of instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Elastic Premium: maximum number of instances the plan bursts to.')
@minValue(1)
@maxValue(100)
param maximumElasticWorkerCount int

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Storage account used as host storage (AzureWebJobsStorage).')
param storageAccountName string

@description('Blob endpoint of the storage account, with trailing slash.')
param blobEndpoint string

@description('Queue endpoint of the storage account, with trailing slash.')
param queueEndpoint string

@description('Blob container that receives the app package.')
param deploymentContainerName string

@description('Blob container holding application data.')
param dataContainerName string

@description('Host name of the Event Hubs namespace (<namespace>.servicebus.windows.net).')
param eventHubFullyQualifiedNamespace string

@description('Clickstream event hub.')
param eventHubName string

@description('Consumer group of the ingest function.')
param eventHubConsumerGroup string

@description('Cosmos DB account endpoint.')
param cosmosEndpoint string

@description('Cosmos DB database.')
param cosmosDatabaseName string

@description('Application Insights connection string (not a credential: local auth is disabled).')
param applicationInsightsConnectionString string

@description('URL of the e-mail provider webhook; empty disables e-mail webhooks.')
param webhookEmailUrl string

@description('Entra ID audience for bearer tokens on the privacy and admin routes; empty leaves them to Functions keys.')
param operatorApiAudience string

@description('Versionless Key Vault URI of the webhook signing secret.')
param webhookSecretUri string

@description('Blob container of the write-once audit log.')
param auditContainerName string

@description('Versionless Key Vault URI of the storefront client key.')
param storefrontKeySecretUri string

@description('Versionless Key Vault URI of the erasure tombstone (HMAC) key.')
param tombstoneKeySecretUri string

@description('Public network access to the app\'s HTTP endpoint (the storefront and operators call it): Enabled by default.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

@description('Subnet the app\'s outbound traffic goes through (private endpoints of the data stores); empty: none.')
param virtualNetworkSubnetId string = ''

var isFlex = hostingPlan == 'FlexConsumption'

// Elastic Premium without an Azure Files content share (its setting is a key-bearing connection
// string): the app runs from a package blob read with the managed identity.
var premiumPackageUrl = '${blobEndpoint}${deploymentContainerName}/functions.zip'

var appSettings = {
  // Host storage: leases, Event Hubs checkpoints, timers, diagnostics.
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId

  // Telemetry, authenticated with Entra ID.
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

  // Connection "EventHubConnection" (eventHubTrigger / eventHub output in function.json).
  EventHubConnection__fullyQualifiedNamespace: eventHubFullyQualifiedNamespace
  EventHubConnection__credential: 'managedidentity'
  EventHubConnection__clientId: identityClientId
  EventHubName: eventHubName
  EventHubConsumerGroup: eventHubConsumerGroup

  // Timer "Retrain" (function.json schedule %RetrainSchedule%): weekly, Sunday 03:00 UTC.
  RetrainSchedule: '0 0 3 * * 0'
  // Timer "EnforceRetention" (%RetentionSchedule%): daily, 02:30 UTC.
  RetentionSchedule: '0 30 2 * * *'

  // Connection "WorkflowQueues" (queueTrigger in function.json).
  WorkflowQueues__queueServiceUri: queueEndpoint
  WorkflowQueues__credential: 'managedidentity'
  WorkflowQueues__clientId: identityClientId

  // The handler's own configuration (section "Recommender").
  Recommender__Mode: 'Azure'
  Recommender__Azure__CosmosEndpoint: cosmosEndpoint
  Recommender__Azure__CosmosDatabase: cosmosDatabaseName
  Recommender__Azure__BlobServiceUri: blobEndpoint
  Recommender__Azure__BlobContainer: dataContainerName
  Recommender__Azure__QueueServiceUri: queueEndpoint
  Recommender__Azure__ManagedIdentityClientId: identityClientId
  Recommender__Webhooks__Email__Url: webhookEmailUrl
  Recommender__Webhooks__Email__Secret: '@Microsoft.KeyVault(SecretUri=${webhookSecretUri})'
  // Audit entries (audit/...) go to the write-once container; everything else to the data container.
  Recommender__Azure__AuditContainer: auditContainerName

  // Storefront routes (/api/events, /api/recommendations) are anonymous for the Functions host and
  // checked by the app: it refuses to start without a client, and the one client's key comes from
  // Key Vault (the app hashes it at start and keeps only the hash). Add clients the same way.
  Recommender__Storefront__RequireKeys: 'true'
  Recommender__Storefront__Clients__storefront__Key: '@Microsoft.KeyVault(SecretUri=${storefrontKeySecretUri})'

  // Erasure tombstones and sealed timers: the HMAC key, generated at deploy and kept in Key Vault.
  Recommender__Privacy__TombstoneKey: '@Microsoft.KeyVault(SecretUri=${tombstoneKeySecretUri})'

  // Bearer tokens with app roles on /api/privacy and /api/admin (Entra ID of this tenant).
  Recommender__Auth__Authority: empty(operatorApiAudience) ? '' : '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
  Recommender__Auth__Audience: operatorApiAudience
}

// Flex Consumption takes runtime and version from functionAppConfig and rejects these settings.
var premiumSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'custom'
  WEBSITE_RUN_FROM_PACKAGE: premiumPackageUrl
  WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID: identityId
}

// Flex Consumption: the custom handler runtime, the package container read with the identity, scale.
var flexAppConfig = {
  runtime: {
    name: 'custom'
    version: '1.0'
  }
  deployment: {
    storage: {
      type: 'blobContainer'
      value: '${blobEndpoint}${deploymentContainerName}'
      authentication: {
        type: 'UserAssignedIdentity'
        userAssignedIdentityResourceId: identityId
      }
    }
  }
  scaleAndConcurrency: {
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: isFlex ? 'functionapp' : 'elastic'
  sku: isFlex
    ? {
        name: 'FC1'
        tier: 'FlexConsumption'
      }
    : {
        name: 'EP1'
        tier: 'ElasticPremium'
      }
  properties: {
    reserved: true // Linux
    maximumElasticWorkerCount: isFlex ? null : maximumElasticWorkerCount
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    publicNetworkAccess: publicNetworkAccess
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    // With a subnet, every outbound call (data stores, Key Vault references) goes through it.
    outboundVnetRouting: empty(virtualNetworkSubnetId)
      ? null
      : {
          allTraffic: true
        }
    functionAppConfig: isFlex ? flexAppConfig : null
    siteConfig: {
      // Custom handler stack on Linux Premium: empty linuxFxVersion + FUNCTIONS_WORKER_RUNTIME=custom.
      linuxFxVersion: isFlex ? null : ''
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: isFlex ? appSettings : union(appSettings, premiumSettings)
}

// Deployments authenticate with Entra ID; basic (user/password) publishing stays off.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output planSku string = plan.sku.name
output premiumPackageUrl string = isFlex ? '' : premiumPackageUrl
