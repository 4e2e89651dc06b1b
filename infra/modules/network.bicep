// Private networking (main.bicep: dataNetworkAccess = 'Private'): a virtual network with a subnet for
// the function app's outbound traffic and one for private endpoints; a private endpoint and a private
// DNS zone for each data store (blob, queue and table storage, Cosmos DB, Event Hubs, Key Vault).
// The stores then turn public network access off: they are reachable only from this network, and
// only with the app's identity (no store accepts keys either way).

@description('Name of the virtual network.')
param name string

@description('Azure region of the network and the endpoints.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Hosting plan: the app subnet is delegated to Microsoft.App/environments (Flex Consumption) or Microsoft.Web/serverFarms (Elastic Premium).')
@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
param hostingPlan string

@description('Resource ids of the stores to reach privately.')
param storageAccountId string
param cosmosAccountId string
param eventHubNamespaceId string
param keyVaultId string

// One endpoint per store and sub-resource (groupId), each registered in its private DNS zone.
var endpoints = [
  { name: 'blob', target: storageAccountId, groupId: 'blob', zone: 'privatelink.blob.${environment().suffixes.storage}' }
  { name: 'queue', target: storageAccountId, groupId: 'queue', zone: 'privatelink.queue.${environment().suffixes.storage}' }
  { name: 'table', target: storageAccountId, groupId: 'table', zone: 'privatelink.table.${environment().suffixes.storage}' }
  { name: 'cosmos', target: cosmosAccountId, groupId: 'Sql', zone: 'privatelink.documents.azure.com' }
  { name: 'eventhubs', target: eventHubNamespaceId, groupId: 'namespace', zone: 'privatelink.servicebus.windows.net' }
  { name: 'vault', target: keyVaultId, groupId: 'vault', zone: 'privatelink.vaultcore.azure.net' }
]

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        '10.20.0.0/16'
      ]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: '10.20.0.0/24'
          delegations: [
            {
              name: 'app'
              properties: {
                serviceName: hostingPlan == 'FlexConsumption' ? 'Microsoft.App/environments' : 'Microsoft.Web/serverFarms'
              }
            }
          ]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: '10.20.1.0/24'
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for endpoint in endpoints: {
    name: endpoint.zone
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (endpoint, i) in endpoints: {
    parent: zones[i]
    name: vnet.name
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnet.id
      }
    }
  }
]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for endpoint in endpoints: {
    name: 'pe-${endpoint.name}-${name}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: '${vnet.id}/subnets/private-endpoints'
      }
      privateLinkServiceConnections: [
        {
          name: endpoint.name
          properties: {
            privateLinkServiceId: endpoint.target
            groupIds: [
              endpoint.groupId
            ]
          }
        }
      ]
    }
  }
]

resource dnsGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (endpoint, i) in endpoints: {
    parent: privateEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: endpoint.name
          properties: {
            privateDnsZoneId: zones[i].id
          }
        }
      ]
    }
  }
]

output appSubnetId string = '${vnet.id}/subnets/app'
