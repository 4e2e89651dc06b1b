// Every permission the function app's identity holds, in one place. Data-plane roles only (no
// Contributor / Owner, nothing that can read keys), each at the narrowest scope that works.

@description('Principal (object) id of the function app\'s user-assigned identity.')
param principalId string

@description('Storage account used for host storage, deployment packages, data and queues.')
param storageAccountName string

@description('Event Hubs namespace holding the clickstream hub.')
param eventHubNamespaceName string

@description('Clickstream event hub.')
param eventHubName string

@description('Cosmos DB account.')
param cosmosAccountName string

@description('Cosmos DB database the app reads and writes.')
param cosmosDatabaseName string

@description('Key Vault holding the webhook secret.')
param keyVaultName string

@description('Names of the secrets in the vault the app reads through Key Vault references.')
param secretNames string[]

@description('Blob container of the audit log: the app may create and read entries there, never delete them.')
param auditContainerName string

@description('Application Insights component the app sends telemetry to.')
param applicationInsightsName string

// Built-in role definition ids (Azure RBAC).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

// Cosmos DB data-plane role "Cosmos DB Built-in Data Contributor" (items and queries; it cannot
// create or delete databases and containers — this template owns those).
var cosmosBuiltInDataContributor = '00000000-0000-0000-0000-000000000002'

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource eventHubNamespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubNamespaceName

  resource hub 'eventhubs' existing = {
    name: eventHubName
  }
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: cosmosAccountName

  resource dataContributor 'sqlRoleDefinitions' existing = {
    name: cosmosBuiltInDataContributor
  }
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource secrets 'Microsoft.KeyVault/vaults/secrets@2024-11-01' existing = [
  for secretName in secretNames: {
    parent: vault
    name: secretName
  }
]

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Storage, account scope. Blob Data Owner: the Functions host creates its own containers
// (azure-webjobs-hosts, -secrets, Event Hubs checkpoints) and Flex Consumption reads the package.
// Queue Data Contributor: workflow queues, their delayed messages and the host's -poison queues.
// Table Data Contributor: the host writes its diagnostic events to Table storage.
// The blob role carries a condition (Azure ABAC): every blob action is allowed except deleting a blob
// in the audit container. Two locks, either enough on its own: this condition (the identity cannot
// even ask), and the container's immutability policy (storage.bicep: nobody can delete or overwrite
// an entry before its retention ends).
var auditDeleteDenied = '((!(ActionMatches{\'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete\'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringNotEquals \'${auditContainerName}\'))'

resource storageBlob 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, principalId, roles.storageBlobDataOwner)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    description: 'Function app: every blob action except deleting audit log entries'
    conditionVersion: '2.0'
    condition: auditDeleteDenied
  }
}

resource storageQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, principalId, roles.storageQueueDataContributor)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.storageQueueDataContributor
    )
  }
}

resource storageTable 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, principalId, roles.storageTableDataContributor)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.storageTableDataContributor
    )
  }
}

// Event Hubs, scoped to the clickstream hub only: the trigger receives, the events API sends.
resource hubReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: eventHubNamespace::hub
  name: guid(eventHubNamespace::hub.id, principalId, roles.eventHubsDataReceiver)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataReceiver)
  }
}

resource hubSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: eventHubNamespace::hub
  name: guid(eventHubNamespace::hub.id, principalId, roles.eventHubsDataSender)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataSender)
  }
}

// Application Insights with local auth disabled accepts telemetry from this role only.
resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: applicationInsights
  name: guid(applicationInsights.id, principalId, roles.monitoringMetricsPublisher)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.monitoringMetricsPublisher
    )
  }
}

// Key Vault, scoped to each secret a Key Vault reference resolves (not the whole vault).
resource secretReaders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (secretName, i) in secretNames: {
    scope: secrets[i]
    name: guid(secrets[i].id, principalId, roles.keyVaultSecretsUser)
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    }
  }
]

// Cosmos DB data plane, scoped to the application database. Data-plane scopes use the
// "<account id>/dbs/<database>" form, not the ARM id of the sqlDatabases resource.
var cosmosDatabaseScope = '${cosmos.id}/dbs/${cosmosDatabaseName}'

resource cosmosDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: cosmos
  name: guid(cosmosDatabaseScope, principalId, cosmosBuiltInDataContributor)
  properties: {
    principalId: principalId
    roleDefinitionId: cosmos::dataContributor.id
    scope: cosmosDatabaseScope
  }
}
