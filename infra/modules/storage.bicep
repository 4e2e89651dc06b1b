// One StorageV2 account, reachable only with Entra ID (no shared keys, no SAS signed by keys):
// - host storage for the Functions runtime (AzureWebJobsStorage: leases, checkpoints, diagnostics);
// - the Flex Consumption deployment container (and the run-from-package blob on Elastic Premium);
// - the application's data container and work queues (read from functions/Recommender.Domain/Ports/Storage/queues.json);
// - the write-once audit container (time-based immutability).

@description('Name of the storage account (3-24 lowercase letters and digits).')
param name string

@description('Azure region of the storage account.')
param location string

@description('Tags applied to the storage account.')
param tags object

@description('Blob container that receives the function app package.')
param deploymentContainerName string

@description('Blob container holding application data (events/, deadletter/, models/, catalog/).')
param dataContainerName string = 'data'

@description('Days after which archived behavioural events (events/behavioural/) are deleted: 790 days, about 26 months.')
param behaviouralRetentionDays int = 790

@description('Days after which archived search events (events/search/) are deleted: the query is free text.')
param searchRetentionDays int = 90

@description('Days after which archived orders and returns (events/orders/) are deleted: 7 years of accounting records.')
param orderRetentionDays int = 2557

@description('Days after which archived consent, account and login records (events/records/) are deleted.')
param recordRetentionDays int = 2557

@description('Days after which rejected input (deadletter/) is deleted.')
param deadLetterRetentionDays int = 30

@description('Blob container of the privacy audit log (write once: a time-based immutability policy protects every entry).')
param auditContainerName string = 'audit'

@description('Days each audit entry stays immutable (time-based retention, counted from its creation): 7 years by default.')
@minValue(1)
@maxValue(146000)
param auditRetentionDays int = 2557

@description('Public network access to the account: Enabled (Entra ID still required) or Disabled (private endpoints only).')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

// The work queues, declared once in the registry the app embeds (Recommender.Domain.Ports.Storage.QueueRegistry);
// each has a queue-triggered function generated from the same entry; the host adds "<name>-poison" on its own.
var queueNames = loadJsonContent('../../functions/Recommender.Domain/Ports/Storage/queues.json', '$.queues[*].name')

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: publicNetworkAccess == 'Enabled' ? 'Allow' : 'Deny'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

resource dataContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: dataContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

// The audit log (Recommender.Domain.Privacy.AuditLog, entries under audit/ routed here by the Azure
// adapter): write once, read many. The time-based retention policy makes every entry impossible to
// modify or delete — by anyone, the app's identity included — until it is auditRetentionDays old.
// The template leaves the policy unlocked (it can still be shortened or removed by an account
// administrator); lock it for production with
//   az storage container immutability-policy lock (see docs/deployment.md)
// after which the period can only be extended. A legal hold is an operator action, not a template
// setting: az storage container legal-hold set --tags <case> (no lifecycle rule covers this container).
resource auditContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: auditContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource auditImmutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2024-01-01' = {
  parent: auditContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: auditRetentionDays
    // Entries are whole blobs written once: no appends to protected blobs either.
    allowProtectedAppendWrites: false
    allowProtectedAppendWritesAll: false
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2024-01-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

// Retention per data class (the app's RetentionService enforces the same limits daily): behavioural
// events ~26 months, search queries 90 days, orders and consent records 7 years; dead letters are
// for triage only.
// Prefixes in lifecycle rules start with the container name.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2024-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-behavioural-events'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
                'appendBlob'
              ]
              prefixMatch: [
                '${dataContainer.name}/events/behavioural/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: behaviouralRetentionDays
                }
              }
            }
          }
        }
        {
          name: 'delete-search-events'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
                'appendBlob'
              ]
              prefixMatch: [
                '${dataContainer.name}/events/search/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: searchRetentionDays
                }
              }
            }
          }
        }
        {
          name: 'delete-order-events'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
                'appendBlob'
              ]
              prefixMatch: [
                '${dataContainer.name}/events/orders/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: orderRetentionDays
                }
              }
            }
          }
        }
        {
          name: 'delete-record-events'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
                'appendBlob'
              ]
              prefixMatch: [
                '${dataContainer.name}/events/records/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: recordRetentionDays
                }
              }
            }
          }
        }
        {
          name: 'delete-dead-letters'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
                'appendBlob'
              ]
              prefixMatch: [
                '${dataContainer.name}/deadletter/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: deadLetterRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output dataContainerName string = dataContainer.name
output auditContainerName string = auditContainer.name
output deploymentContainerName string = deploymentContainer.name
output queueNames array = [for (queueName, i) in queueNames: queues[i].name]
