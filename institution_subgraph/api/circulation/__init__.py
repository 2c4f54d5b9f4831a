"""The circulation part of the member's API (``schema/circulation.graphql``).

    ids              global IDs of desks and circulation records
    arguments        what mutation arguments name: barcodes, patrons, this member
    errors           circulation refusals as coded GraphQL errors
    loaders          per-request loaders of desks, patrons, loans, requests, fees
    enums            the circulation states, published under the contract's names
    items            the catalogue's Item, as circulation records name it
    desks            Desk
    patrons          Patron, PostalAddress, Money, Notice
    loans            Loan
    requests         Request, RequestStep
    fees             Fee, FeeTransaction
    movements        Transit, ItemMovement, ItemEvent
    desk_tasks       DeskTasks, PickSlip, HoldShelfEntry
    request_options  RequestOptions: Item.requestOptions
    results          the mutations' payloads
    inputs           SharedPatronInput, PostalAddressInput
    queries          CirculationQuery: the root query fields
    mutations        Mutation, one module per subject

The package imports nothing here: the request context imports the loaders,
and the types import the context.
"""
