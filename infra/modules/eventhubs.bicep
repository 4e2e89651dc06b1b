// Clickstream ingestion: one hub, read by the ingest function through its own consumer group.
// SAS (local) authentication is disabled: producers and the trigger authenticate with Entra ID.

@description('Name of the Event Hubs namespace.')
param namespaceName string

@description('Azure region of the namespace.')
param location string

@description('Tags applied to the namespace.')
param tags object

@description('Name of the clickstream event hub.')
param eventHubName string = 'clickstream'

@description('Consumer group used by the ingest function.')
param consumerGroupName string = 'ingest'

@description('Partitions of the clickstream hub (upper bound of ingest parallelism; fixed after creation on Standard).')
@minValue(1)
@maxValue(32)
param partitionCount int = 4

@description('Hours events stay readable in the hub (Standard allows up to 168).')
@minValue(1)
@maxValue(168)
param retentionHours int = 168

@description('Public network access: Enabled (Entra ID still required) or Disabled (private endpoints only).')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: 1
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: publicNetworkAccess
    isAutoInflateEnabled: false
  }
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: eventHubName
  properties: {
    partitionCount: partitionCount
    retentionDescription: {
      cleanupPolicy: 'Delete'
      retentionTimeInHours: retentionHours
    }
  }
}

resource consumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: hub
  name: consumerGroupName
}

output id string = namespace.id
output namespaceName string = namespace.name
// serviceBusEndpoint is "https://<namespace>.servicebus.windows.net:443/"; clients want the bare host name.
output fullyQualifiedNamespace string = replace(
  replace(namespace.properties.serviceBusEndpoint, 'https://', ''),
  ':443/',
  ''
)
output eventHubName string = hub.name
output consumerGroupName string = consumerGroup.name
