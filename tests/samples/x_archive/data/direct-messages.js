window.YTD.direct_messages.part0 = [
  {
    "dmConversation" : {
      "conversationId" : "1400000000000000001-1500000000000000042",
      "messages" : [
        {
          "messageCreate" : {
            "recipientId" : "1400000000000000001",
            "reactions" : [ ],
            "urls" : [ ],
            "text" : "I know what car you drive. Plate 8ABC 123.",
            "mediaUrls" : [ ],
            "senderId" : "1500000000000000042",
            "id" : "1700000000000000002",
            "createdAt" : "2026-10-09T22:10:00.000Z"
          }
        },
        {
          "joinConversation" : { "initiatingUserId" : "1500000000000000042", "participantsSnapshot" : [ ], "createdAt" : "2026-10-09T22:00:00.000Z" }
        },
        {
          "messageCreate" : {
            "recipientId" : "1400000000000000001",
            "reactions" : [ ],
            "urls" : [ ],
            "text" : "hello mayor",
            "mediaUrls" : [ ],
            "senderId" : "1500000000000000042",
            "id" : "1700000000000000001",
            "createdAt" : "2026-10-09T22:05:00.000Z"
          }
        }
      ]
    }
  }
]
