// Serverless Cosmos DB (NoSQL) with key-based auth disabled: the app reaches it with Entra ID
// through a data-plane role assignment (access.bicep). Containers match
// Recommender.Domain.Ports.Storage.Collections; all use the partition key path /pk.

@description('Name of the Cosmos DB account.')
param accountName string

@description('Azure region of the account.')
param location string

@description('Tags applied to the account.')
param tags object

@description('Name of the SQL database.')
param databaseName string = 'recommender'

@description('Public network access: Enabled (Entra ID still required) or Disabled (private endpoints only).')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

@description('A container: its name and default time-to-live in seconds (omit for no expiry).')
type containerSpec = {
  name: string
  defaultTtl: int?
}

// 790 days ≈ 26 months, 7 days, 90 days. items has no TTL (catalogue counters and popularity lists
// are live state); erasures has none on purpose: receipts are the proof that an erasure happened.
// watchers (who watches which product, for catalog alerts: personal data, so not in items) lapse
// 180 days after their last write.
var containers containerSpec[] = [
  { name: 'profiles', defaultTtl: 68256000 }
  { name: 'items' }
  { name: 'recommendations', defaultTtl: 604800 }
  { name: 'workflows', defaultTtl: 7776000 }
  { name: 'customers', defaultTtl: 68256000 }
  { name: 'erasures' }
  { name: 'watchers', defaultTtl: 15552000 }
]

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: [
      {
        name: 'EnableServerless'
      }
    ]
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: publicNetworkAccess
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for container in containers: {
    parent: database
    name: container.name
    properties: {
      resource: {
        id: container.name
        partitionKey: {
          paths: [
            '/pk'
          ]
          kind: 'Hash'
          version: 2
        }
        defaultTtl: container.?defaultTtl
      }
    }
  }
]

output id string = account.id
output accountName string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
output containerNames array = [for (container, i) in containers: sqlContainers[i].name]
