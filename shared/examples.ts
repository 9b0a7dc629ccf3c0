/**
 * The API reference's own examples, attached to the OpenAPI document; a test validates each one
 * against the schema it documents, so the contract and the reference cannot drift apart.
 */
/** The reference's assistant, as its character list shows it. */
const assistant = {
  id: "assistant",
  name: "Assistant",
  description: "A helpful and friendly AI assistant",
  personality: "Professional, helpful, and knowledgeable",
  avatar_url: "/assets/avatars/assistant.png",
  voice_model: "default",
  video_model: "stable-video",
  capabilities: ["text", "voice", "video"],
};

export const examples = {
  sendMessageRequest: {
    message: "Hello, how are you today?",
    character_id: "assistant",
    session_id: "user-session-123",
    context: { user_name: "Alice", conversation_history: true },
  },
  sendMessageResponse: {
    response: "Hello Alice! I'm doing well, thank you for asking. How can I help you today?",
    character_id: "assistant",
    session_id: "user-session-123",
    message_id: "msg_002",
    user_message_id: "msg_001",
    timestamp: "2024-01-15T10:30:00Z",
    media: { audio_url: "/assets/audio/response_123.wav", video_url: "/assets/video/response_123.mp4" },
    metadata: {
      tokens_used: 45,
      prompt_tokens: 30,
      completion_tokens: 15,
      response_time_ms: 1200,
      confidence: 0.95,
      model: "gpt-4o-mini",
      provider: "openai-compatible",
      finish_reason: "stop",
    },
    sibling_index: 0,
    sibling_count: 1,
  },
  historyResponse: {
    session_id: "user-session-123",
    messages: [
      {
        id: "msg_001",
        parent_id: null,
        timestamp: "2024-01-15T10:30:00Z",
        role: "user",
        content: "Hello, how are you today?",
        character_id: "assistant",
        sibling_index: 0,
        sibling_count: 1,
      },
      {
        id: "msg_002",
        parent_id: "msg_001",
        timestamp: "2024-01-15T10:30:01Z",
        role: "assistant",
        content: "Hello! I'm doing well...",
        character_id: "assistant",
        media: { audio_url: "/assets/audio/response_123.wav" },
        sibling_index: 1,
        sibling_count: 2,
      },
    ],
    total_count: 24,
    has_more: true,
  },
  clearHistoryResponse: {
    message: "Conversation history cleared successfully",
    session_id: "user-session-123",
    cleared_at: "2024-01-15T10:35:00Z",
  },
  characterList: { characters: [assistant] },
  character: {
    ...assistant,
    configuration: { temperature: 0.7, max_tokens: 4096, system_prompt: "You are a helpful assistant..." },
    statistics: { total_conversations: 1542, average_rating: 4.8, last_updated: "2024-01-15T09:00:00Z" },
    // Character Card fields (empty for the reference's characters).
    scenario: "",
    first_message: "",
    example_messages: "",
    post_history_instructions: "",
    alternate_greetings: [],
    creator_notes: "",
    tags: [],
    creator: "",
    character_version: "",
    nickname: null,
    lorebook_ids: [],
  },
  updateCharacterRequest: {
    name: "Updated Assistant",
    description: "An enhanced AI assistant",
    personality: "More casual and friendly",
    configuration: { temperature: 0.8, max_tokens: 2048 },
  },
  createKeyRequest: { name: "my app", scopes: ["chat"] },
} as const;
